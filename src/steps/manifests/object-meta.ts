import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { StepName } from '../../domain/plans.js';
import type { KubeObject } from '../../drivers/contract.js';
import type { TenantFacts } from '../step.js';
import { ownerLabels } from './labels.js';

/** kubernetes-models' ObjectMeta, reached through a model so we depend on kubernetes-models alone. */
export type ObjectMeta = NonNullable<INamespace['metadata']>;

/** Metadata of an object in the tenant's namespace, labelled with its owner. */
export function tenantMeta(tenant: TenantFacts, step: StepName, name: string): ObjectMeta & { name: string; namespace: string } {
  return { name, namespace: tenant.namespace, labels: ownerLabels(tenant, step) };
}

/** A typed model as the contract's plain `KubeObject`: the builders type, the driver stays generic. */
export function toKubeObject(model: { apiVersion: string; kind: string; metadata?: ObjectMeta }): KubeObject {
  const { metadata, ...rest } = model;
  if (!metadata?.name) throw new Error(`${model.kind} without metadata.name`);
  // A JSON round trip drops undefined fields, so what we snapshot and diff is what the API server stores.
  return JSON.parse(JSON.stringify({ ...rest, metadata: { ...metadata, name: metadata.name } })) as KubeObject;
}
