import type { ILimitRange } from 'kubernetes-models/v1/LimitRange';
import type { IResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { StepName } from '../../domain/plans.js';
import { TIER_PROFILES, type TierQuota } from '../../domain/tiers.js';
import type { KubeObject } from '../../drivers/contract.js';
import type { TenantFacts } from '../step.js';
import { tenantMeta, toKubeObject } from './object-meta.js';

export const QUOTA_NAME = 'tenant-quota';
export const LIMIT_RANGE_NAME = 'tenant-limits';

/**
 * Container defaults equal to spec/004's Helm values (250m/512Mi requested, 1000m/1Gi limit):
 * once a quota bounds requests and limits, the API server rejects any pod that states neither,
 * so a LimitRange must fill them in for charts that forget.
 */
const CONTAINER_DEFAULTS: NonNullable<ILimitRange['spec']>['limits'] = [
  { type: 'Container', defaultRequest: { cpu: '250m', memory: '512Mi' }, default: { cpu: '1000m', memory: '1Gi' } },
];

/** The quota's `hard` map: only bounded resources; a null in the tier table is no entry at all. */
function hardLimits(q: TierQuota): Record<string, string> {
  const entries: [string, string | number | null][] = [
    ['requests.cpu', q.cpuRequests],
    ['limits.cpu', q.cpuLimits],
    ['requests.memory', q.memoryRequests],
    ['limits.memory', q.memoryLimits],
    ['pods', q.pods],
    ['services', q.services],
    ['persistentvolumeclaims', q.persistentVolumeClaims],
  ];
  // Quantities as strings: that is how the API server returns them, so observe compares like with like.
  return Object.fromEntries(entries.filter((e): e is [string, string | number] => e[1] !== null).map(([k, v]) => [k, String(v)]));
}

/**
 * spec/003 CONFIGURING_QUOTAS with spec/004's table. Enterprise is unlimited and runs on a
 * dedicated cluster: no quota and no LimitRange (the defaults exist only to satisfy a quota).
 */
export function quotaManifests(tenant: TenantFacts): KubeObject[] {
  const hard = hardLimits(TIER_PROFILES[tenant.tier].quota);
  // spec/000 configuration.storageGb: what the tenant's volume claims may ask for in all.
  if (Object.keys(hard).length > 0 && tenant.infrastructure) hard['requests.storage'] = `${tenant.infrastructure.storageGb}Gi`;
  if (Object.keys(hard).length === 0) return [];
  const step = StepName.APPLY_QUOTAS;
  const quota: IResourceQuota = {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: tenantMeta(tenant, step, QUOTA_NAME),
    spec: { hard },
  };
  const limits: ILimitRange = {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: tenantMeta(tenant, step, LIMIT_RANGE_NAME),
    spec: { limits: CONTAINER_DEFAULTS },
  };
  return [toKubeObject(quota), toKubeObject(limits)];
}
