import { StepName } from '../../domain/plans.js';
import type { StepDrivers, StepHandler } from '../step.js';
import { ALL_KINDS, type ProvisioningHandlers, type TeardownOutputs, teardownStep, tenantObjects } from '../support/teardown-step.js';

export type DeleteNamespaceOutputs = TeardownOutputs;

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    DELETE_NAMESPACE: DeleteNamespaceOutputs;
  }
}

/**
 * spec/002 "Deletion" 5: everything else the tenant has in the cluster, by the rollbacks of the
 * steps that made it; CREATE_NAMESPACE's rollback deletes the namespace last.
 */
export function deleteNamespace(provisioning: ProvisioningHandlers, drivers: Pick<StepDrivers, 'cluster'>): StepHandler {
  const S = StepName;
  return teardownStep(S.DELETE_NAMESPACE, provisioning, {
    undo: [S.SETUP_OBSERVABILITY, S.CONFIGURE, S.CREATE_TENANT_INGRESS, S.CONFIGURE_NETWORKING, S.DEPLOY_SECRETS, S.APPLY_QUOTAS, S.CREATE_NAMESPACE],
    observe: (ctx) => tenantObjects(drivers.cluster, ctx, ALL_KINDS),
  });
}
