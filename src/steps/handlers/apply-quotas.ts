import { StepName } from '../domain/plans.js';
import { TIER_PROFILES } from '../domain/tiers.js';
import { KIND, clusterStep } from './cluster-step.js';
import { applyQuotasManifests } from './manifests/index.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions } from './step.js';

/** spec/003 CONFIGURING_QUOTAS: the ResourceQuota and LimitRange of the tier table (none for Enterprise). */
export function applyQuotas(drivers: StepDrivers, options: StepOptions): StepHandler {
  const manifests = (ctx: StepContext) => applyQuotasManifests(ctx.tenant);
  return clusterStep(
    {
      name: StepName.APPLY_QUOTAS,
      kinds: [KIND.ResourceQuota, KIND.LimitRange],
      declare: manifests,
      teardownOrder: manifests,
      result: (ctx) => ({ outputs: { quota: TIER_PROFILES[ctx.tenant.tier].quota } }),
    },
    drivers,
    options,
  );
}
