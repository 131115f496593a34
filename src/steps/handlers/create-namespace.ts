import { StepName } from '../../domain/plans.js';
import { createNamespaceManifests } from '../manifests/index.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions } from '../step.js';
import { type ClusterStepOutputs, type ExtraOutputs, KIND, clusterStep } from '../support/cluster-step.js';

export interface CreateNamespaceOutputs extends ClusterStepOutputs {
  namespace: string;
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    CREATE_NAMESPACE: CreateNamespaceOutputs;
  }
}

/**
 * spec/004 phase 1: the Namespace `matih-{slug}` with its labels and annotations, the workload
 * ServiceAccount, its Role and RoleBinding. Rollback deletes them, the Namespace last: the API
 * server then deletes whatever else is left inside it.
 */
export function createNamespace(drivers: StepDrivers, options: StepOptions): StepHandler {
  const manifests = (ctx: StepContext) => createNamespaceManifests(ctx.tenant, ctx.provenance);
  return clusterStep(
    {
      name: StepName.CREATE_NAMESPACE,
      kinds: [KIND.Namespace, KIND.ServiceAccount, KIND.Role, KIND.RoleBinding],
      declare: manifests,
      teardownOrder: manifests,
      result: (ctx) => ({
        outputs: { namespace: ctx.tenant.namespace } satisfies ExtraOutputs<CreateNamespaceOutputs>,
        placement: { kubernetesNamespace: ctx.tenant.namespace },
      }),
    },
    drivers,
    options,
  );
}
