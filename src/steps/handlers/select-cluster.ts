import { StepName } from '../../domain/plans.js';
import { DeploymentType } from '../../domain/tiers.js';
import type { StepHandler } from '../step.js';

export interface SelectClusterOutputs {
  /** The shared cluster of the tenant's region: `matih-shared-{region}`. */
  cluster: string;
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    SELECT_CLUSTER: SelectClusterOutputs;
  }
}

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
        outputs: { cluster } satisfies SelectClusterOutputs,
        placement: {
          deploymentType: DeploymentType.SHARED,
          ...(ctx.tenant.cloudProvider === 'AZURE' ? { azureAksClusterName: cluster } : {}),
        },
      });
    },
    rollback: () => Promise.resolve(),
  };
}
