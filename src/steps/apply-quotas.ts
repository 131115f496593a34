import { StepName } from '../domain/plans.js';
import { TIER_PROFILES } from '../domain/tiers.js';
import { type StepDrivers, type StepHandler, declarativeStep, resource } from './step.js';

/** spec/003 CONFIGURING_QUOTAS: ResourceQuota and LimitRange from the tier table. */
export function applyQuotas(drivers: StepDrivers): StepHandler {
  return declarativeStep(StepName.APPLY_QUOTAS, drivers, (ctx) => {
    const q = TIER_PROFILES[ctx.tenant.tier].quota;
    const ns = ctx.tenant.namespace;
    return [
      resource('ResourceQuota', `${ns}/tenant-quota`, {
        hard: {
          'requests.cpu': q.cpuRequests, 'limits.cpu': q.cpuLimits, 'requests.memory': q.memoryRequests,
          'limits.memory': q.memoryLimits, pods: q.pods, services: q.services, persistentvolumeclaims: q.persistentVolumeClaims,
        },
      }),
      resource('LimitRange', `${ns}/tenant-limits`, { defaultRequest: { cpu: '250m', memory: '512Mi' }, default: { cpu: '1', memory: '1Gi' } }),
    ];
  });
}
