import { StepName } from '../../domain/plans.js';
import type { StepHandler } from '../step.js';

export interface ActivateOutputs {
  adminActivated: true;
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    ACTIVATE: ActivateOutputs;
  }
}

/**
 * ACTIVATE, the last step of a provisioning (spec/002 phase 8, spec/004 "Provisioning
 * Completion"). What it does to the tenant (the admin user ACTIVE in IAM, the tenant ACTIVE with
 * its completion time, TENANT_PROVISIONED with the welcome mail) is committed with the job's end,
 * all at once: `domain/job-outcomes.ts` says what, `store/engine/finish-job.ts` writes it. This
 * handler gives the step's record. Nothing runs after it and its commit is the job's last, so
 * there is nothing to roll back.
 */
export function activate(): StepHandler {
  return {
    name: StepName.ACTIVATE,
    run: () => Promise.resolve({ outputs: { adminActivated: true } satisfies ActivateOutputs }),
    rollback: () => Promise.resolve(),
  };
}
