import { StepName } from '../../domain/plans.js';
import { setupObservabilityManifests } from '../manifests/index.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions } from '../step.js';
import { type ClusterStepOutputs, KIND, clusterStep } from '../support/cluster-step.js';

export type SetupObservabilityOutputs = ClusterStepOutputs;

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    SETUP_OBSERVABILITY: SetupObservabilityOutputs;
  }
}

/**
 * spec/004 phase 10: the tenant's share of the platform's log and trace pipeline, as
 * configuration (manifests/observability.ts). Rollback removes the configuration; the data
 * already in Loki and Tempo stays for its retention, as spec/004 says.
 */
export function setupObservability(drivers: StepDrivers, options: StepOptions): StepHandler {
  const manifests = (ctx: StepContext) => setupObservabilityManifests(ctx.tenant);
  return clusterStep(
    { name: StepName.SETUP_OBSERVABILITY, kinds: [KIND.ConfigMap], declare: manifests, teardownOrder: manifests },
    drivers,
    options,
  );
}
