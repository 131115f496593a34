import type { INamespace } from 'kubernetes-models/v1/Namespace';
import { StepName } from '../../domain/plans.js';
import type { KubeObject } from '../../drivers/contract.js';
import type { TenantFacts } from '../step.js';
import { ANNOTATION, namespaceLabels } from './labels.js';
import { toKubeObject } from './object-meta.js';

export interface Provenance {
  /** RFC 3339; the caller passes it so that applying twice yields the same object (no drift). */
  provisionedAt: string;
  /** Who asked for the tenant, e.g. the initiating admin's email (spec/004: "admin@matih.ai"). */
  provisionedBy: string;
}

/**
 * spec/004 phase 1: `matih-{slug}` with its labels and the cost-attribution annotations. The
 * name is the tenant's `namespace` fact, which the engine derives with `namespaceFor(slug)`, so
 * every object of the tenant names the same namespace.
 */
export function namespaceManifest(tenant: TenantFacts, provenance: Provenance): KubeObject {
  const ns: INamespace = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: tenant.namespace,
      labels: namespaceLabels(tenant, StepName.CREATE_NAMESPACE),
      annotations: {
        [ANNOTATION.provisionedAt]: provenance.provisionedAt,
        [ANNOTATION.provisionedBy]: provenance.provisionedBy,
      },
    },
  };
  return toKubeObject(ns);
}
