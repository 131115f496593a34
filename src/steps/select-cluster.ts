import { StepName } from '../domain/plans.js';
import { DeploymentType } from '../domain/tiers.js';
import { type StepDrivers, type StepHandler, declarativeStep } from './step.js';

/** Free and Professional share a regional cluster (spec/003 ALLOCATING_SHARED_CLUSTER). */
export function selectCluster(drivers: StepDrivers): StepHandler {
  return declarativeStep(StepName.SELECT_CLUSTER, drivers, () => [], (ctx) => {
    const cluster = `matih-shared-${ctx.tenant.region}`;
    return {
      outputs: { cluster },
      placement: {
        deploymentType: DeploymentType.SHARED,
        ...(ctx.tenant.cloudProvider === 'AZURE' ? { azureAksClusterName: cluster } : {}),
      },
    };
  });
}
