import { StepName } from '../../domain/plans.js';
import type { StepHandler } from '../step.js';
import { terraformStateKey } from '../support/dedicated-infrastructure.js';
import { type ProvisioningHandlers, type TeardownOutputs, teardownStep } from '../support/teardown-step.js';

export type DestroyInfrastructureOutputs = TeardownOutputs;

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    DESTROY_INFRASTRUCTURE: DestroyInfrastructureOutputs;
  }
}

/**
 * Enterprise teardown, last: the dedicated cluster, network, storage and database, by
 * PROVISION_INFRASTRUCTURE's rollback (`terraform destroy`), under the state lock
 * ACQUIRE_TERRAFORM_LOCK took just before.
 */
export function destroyInfrastructure(provisioning: ProvisioningHandlers): StepHandler {
  return teardownStep(StepName.DESTROY_INFRASTRUCTURE, provisioning, {
    undo: [StepName.PROVISION_INFRASTRUCTURE],
    // Terraform's destroy is its own observation: it reports what it destroyed in its state.
    observe: async () => [],
    removedWhenDone: (ctx) => [`terraform state ${terraformStateKey(ctx.tenant.id)}`],
  });
}
