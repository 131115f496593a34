import type { ILimitRange } from 'kubernetes-models/v1/LimitRange';
import type { IResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { type QuotaBounds, namespaceQuota } from '../../domain/custom-quota.js';
import { StepName } from '../../domain/plans.js';
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
function hardLimits(q: QuotaBounds): Record<string, string> {
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
 * spec/003 CONFIGURING_QUOTAS with spec/004's table, or on Enterprise the quota a platform admin
 * declared (spec/002's "Custom"). An Enterprise tenant that declared none is unlimited on its
 * dedicated cluster: no quota and no LimitRange (the defaults exist only to satisfy a quota).
 */
export function quotaManifests(tenant: TenantFacts): KubeObject[] {
  const bounds = namespaceQuota(tenant.tier, tenant.infrastructure?.quota);
  if (!bounds) return [];
  const hard = hardLimits(bounds);
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
