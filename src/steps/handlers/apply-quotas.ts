import { StepName } from '../../domain/plans.js';
import { TIER_PROFILES, type TierQuota } from '../../domain/tiers.js';
import { applyQuotasManifests } from '../manifests/index.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions } from '../step.js';
import { type ClusterStepOutputs, type ExtraOutputs, KIND, clusterStep } from '../support/cluster-step.js';

export interface ApplyQuotasOutputs extends ClusterStepOutputs {
  /** The tier's quota the objects carry. */
  quota: TierQuota;
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    APPLY_QUOTAS: ApplyQuotasOutputs;
  }
}

/** spec/003 CONFIGURING_QUOTAS: the ResourceQuota and LimitRange of the tier table (none for Enterprise). */
export function applyQuotas(drivers: StepDrivers, options: StepOptions): StepHandler {
  const manifests = (ctx: StepContext) => applyQuotasManifests(ctx.tenant);
  return clusterStep(
    {
      name: StepName.APPLY_QUOTAS,
      kinds: [KIND.ResourceQuota, KIND.LimitRange],
      declare: manifests,
      teardownOrder: manifests,
      result: (ctx) => ({ outputs: { quota: TIER_PROFILES[ctx.tenant.tier].quota } satisfies ExtraOutputs<ApplyQuotasOutputs> }),
    },
    drivers,
    options,
  );
}
