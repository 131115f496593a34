import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { StepName } from '../../domain/plans.js';
import type { KubeObject } from '../../drivers/contract.js';
import type { DeployEnvironment, TenantFacts } from '../step.js';
import type { ValuesReference } from './helm-release-schema.js';
import { tenantMeta, toKubeObject } from './object-meta.js';

/**
 * spec/002's `--values values-{environment}.yaml`, the Flux way: the environment's values file
 * as a ConfigMap in the tenant's namespace, which every service HelmRelease names in
 * `spec.valuesFrom` (a HelmRelease reads values from its own namespace only).
 *
 * One ConfigMap per namespace, declared by DEPLOY_CORE_SERVICES: it runs before
 * DEPLOY_DATA_SERVICES in every plan and declares it ahead of its first release, so it exists
 * before any release reads it; the data services only refer to it. Being the core step's, it
 * is observed for drift, pruned when the environment changes, and removed by that step's
 * rollback, after the core releases (teardown goes newest first).
 */

/** Flux's default key for a values file, said explicitly so a reader does not need to know it. */
export const VALUES_KEY = 'values.yaml';

/**
 * Flux (helm-controller) upgrades the releases that read a ConfigMap carrying this label as soon
 * as it changes, instead of at their next interval: a new values file reaches them at once.
 */
export const FLUX_WATCH_LABEL = { 'reconcile.fluxcd.io/watch': 'Enabled' } as const;

export function environmentValuesName(environment: DeployEnvironment): string {
  return `values-${environment.name}`;
}

/** The ConfigMap, owned by DEPLOY_CORE_SERVICES. */
export function environmentValuesManifest(tenant: TenantFacts, environment: DeployEnvironment): KubeObject {
  const meta = tenantMeta(tenant, StepName.DEPLOY_CORE_SERVICES, environmentValuesName(environment));
  const cm: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { ...meta, labels: { ...meta.labels, ...FLUX_WATCH_LABEL } },
    data: { [VALUES_KEY]: environment.values },
  };
  return toKubeObject(cm);
}

/** What each service HelmRelease puts in `spec.valuesFrom`. */
export function environmentValuesRef(environment: DeployEnvironment): ValuesReference {
  return { kind: 'ConfigMap', name: environmentValuesName(environment), valuesKey: VALUES_KEY };
}
