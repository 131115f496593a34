import { StepName } from '../../domain/plans.js';
import type { StepDrivers, StepHandler } from '../step.js';
import { KIND } from '../support/cluster-step.js';
import { ALL_KINDS, type ProvisioningHandlers, type TeardownOutputs, teardownStep, tenantObjects } from '../support/teardown-step.js';

export type DeleteHelmReleasesOutputs = TeardownOutputs;

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    DELETE_HELM_RELEASES: DeleteHelmReleasesOutputs;
  }
}

/**
 * spec/002 "Deletion" 3: every HelmRelease, in reverse of deployment (spec/004: uninstall in
 * reverse order), by the rollbacks of the steps that made them: monitoring, the ingress
 * controller, the data services, the core services. Only releases left over fail the step.
 */
export function deleteHelmReleases(provisioning: ProvisioningHandlers, drivers: Pick<StepDrivers, 'cluster'>): StepHandler {
  return teardownStep(StepName.DELETE_HELM_RELEASES, provisioning, {
    undo: [StepName.DEPLOY_MONITORING, StepName.DEPLOY_INGRESS_CONTROLLER, StepName.DEPLOY_DATA_SERVICES, StepName.DEPLOY_CORE_SERVICES],
    // All kinds, so that the receipt also names what went with the releases (monitoring's RBAC and rules).
    observe: (ctx) => tenantObjects(drivers.cluster, ctx, ALL_KINDS),
    leftover: (after) => after.filter((name) => name.startsWith(`${KIND.HelmRelease.kind}/`)),
  });
}
