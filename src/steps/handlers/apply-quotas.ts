import { type QuotaBounds, namespaceQuota } from '../../domain/custom-quota.js';
import { StepName } from '../../domain/plans.js';
import { applyQuotasManifests } from '../manifests/index.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions } from '../step.js';
import { type ClusterStepOutputs, type ExtraOutputs, KIND, clusterStep } from '../support/cluster-step.js';

export interface ApplyQuotasOutputs extends ClusterStepOutputs {
  /** The bounds the ResourceQuota carries (the tier's, or Enterprise's declared ones); null: no quota. */
  quota: QuotaBounds | null;
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    APPLY_QUOTAS: ApplyQuotasOutputs;
  }
}

/**
 * spec/003 CONFIGURING_QUOTAS: the ResourceQuota and LimitRange of the tier table, or of an
 * Enterprise tenant's declared quota (none when it declared none). A changed declaration reaches
 * the cluster through the UPDATE job, which runs this step again: it applies what differs and
 * prunes the objects when the quota was removed.
 */
export function applyQuotas(drivers: StepDrivers, options: StepOptions): StepHandler {
  const manifests = (ctx: StepContext) => applyQuotasManifests(ctx.tenant);
  return clusterStep(
    {
      name: StepName.APPLY_QUOTAS,
      kinds: [KIND.ResourceQuota, KIND.LimitRange],
      declare: manifests,
      teardownOrder: manifests,
      result: (ctx) => ({ outputs: { quota: namespaceQuota(ctx.tenant.tier, ctx.tenant.infrastructure?.quota) } satisfies ExtraOutputs<ApplyQuotasOutputs> }),
    },
    drivers,
    options,
  );
}
