import { StepName } from '../domain/plans.js';
import { DeploymentType } from '../domain/tiers.js';
import type { StepHandler } from './step.js';

/**
 * Free and Professional share a regional cluster (spec/003 ALLOCATING_SHARED_CLUSTER). Nothing
 * is made: the step records which cluster the tenant's objects go to, so rollback has nothing to undo.
 */
export function selectCluster(): StepHandler {
  return {
    name: StepName.SELECT_CLUSTER,
    run(ctx) {
      const cluster = `matih-shared-${ctx.tenant.region}`;
      return Promise.resolve({
        outputs: { cluster },
        placement: {
          deploymentType: DeploymentType.SHARED,
          ...(ctx.tenant.cloudProvider === 'AZURE' ? { azureAksClusterName: cluster } : {}),
        },
      });
    },
    rollback: () => Promise.resolve(),
  };
}
