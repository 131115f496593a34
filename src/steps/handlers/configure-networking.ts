import { StepName } from '../../domain/plans.js';
import { configureNetworkingManifests } from '../manifests/index.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions } from '../step.js';
import { type ClusterStepOutputs, KIND, clusterStep } from '../support/cluster-step.js';

export type ConfigureNetworkingOutputs = ClusterStepOutputs;

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    CONFIGURE_NETWORKING: ConfigureNetworkingOutputs;
  }
}

/** spec/004 phase 4: the NetworkPolicies of tenant isolation, ingress and egress (manifests/network-policies.ts). */
export function configureNetworking(drivers: StepDrivers, options: StepOptions): StepHandler {
  const manifests = (ctx: StepContext) => configureNetworkingManifests(ctx.tenant, options.networkIsolation);
  return clusterStep(
    { name: StepName.CONFIGURE_NETWORKING, kinds: [KIND.NetworkPolicy], declare: manifests, teardownOrder: manifests },
    drivers,
    options,
  );
}
