import { StepName } from '../../domain/plans.js';
import type { StepHandler } from '../step.js';
import { terraformStateKey } from '../support/dedicated-infrastructure.js';
import type { EnterpriseStepDeps, EnterpriseStepOptions } from '../support/enterprise-step-deps.js';
import { takeStateLock } from '../support/terraform-lock.js';

export interface AcquireTerraformLockOutputs {
  /** `tenants/{tenantId}.tfstate`. */
  stateKey: string;
  /** The job that holds the lock: this one. */
  holderJobId: string;
  /** The job whose lock this one took over (it had finished, failed or lost its lease). */
  tookOverFrom?: string;
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    ACQUIRE_TERRAFORM_LOCK: AcquireTerraformLockOutputs;
  }
}

/**
 * spec/003: one Terraform run per tenant state at a time, across every replica. The teardown of
 * an Enterprise tenant takes it again before DESTROY_INFRASTRUCTURE.
 */
export function acquireTerraformLock(deps: Pick<EnterpriseStepDeps, 'stateLocks'>, options: EnterpriseStepOptions): StepHandler {
  return {
    name: StepName.ACQUIRE_TERRAFORM_LOCK,
    async run(ctx) {
      const stateKey = terraformStateKey(ctx.tenant.id);
      const lock = await takeStateLock(deps.stateLocks, ctx, stateKey, options.lockLeaseMs);
      return {
        outputs: { stateKey, holderJobId: ctx.jobId, ...(lock.tookOverFrom ? { tookOverFrom: lock.tookOverFrom } : {}) } satisfies AcquireTerraformLockOutputs,
      };
    },
    // The last undo of an enterprise rollback: PROVISION_INFRASTRUCTURE destroyed under the lock before.
    async rollback(ctx) {
      await deps.stateLocks.release(terraformStateKey(ctx.tenant.id), ctx.jobId);
    },
  };
}
