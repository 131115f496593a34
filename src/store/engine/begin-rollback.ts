import { StepStatus } from '../../domain/progress.js';
import { JobStatus } from '../../domain/provisioning.js';
import type { Db } from '../open-database.js';
import { appendAudit } from './audit.js';
import { guardJob } from './guard.js';

export interface BeginRollbackInput {
  jobId: string;
  tenantId: string;
  owner: string;
  leaseMs: number;
  /** The step that failed for good, or null when a cancel stops the job between steps. */
  step: string | null;
  reason: string;
  /** Why: a permanent error, retries exhausted, or a cancel. */
  trigger: 'step.failed_permanently' | 'retries.exhausted' | 'job.cancelled';
  /** False when nothing will be undone (rollback off, or an operation that never rolls back). */
  undo?: boolean;
}

/** The job stops going forward; from here the worker undoes completed steps, newest first. */
export async function beginRollback(db: Db, input: BeginRollbackInput): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await guardJob(trx, { jobId: input.jobId, owner: input.owner, status: JobStatus.RUNNING }, input.leaseMs, {
      status: JobStatus.ROLLING_BACK,
      errorMessage: input.reason,
      failedStep: input.step,
    });
    if (input.step) {
      await trx
        .updateTable('provisioningSteps')
        .set({ status: StepStatus.FAILED, lastError: input.reason })
        .where('jobId', '=', input.jobId)
        .where('name', '=', input.step)
        .where('status', '!=', StepStatus.COMPLETED)
        .execute();
    }
    await appendAudit(trx, input.tenantId, input.jobId, [
      { kind: 'STEP', trigger: input.trigger, step: input.step, actor: input.owner, details: { reason: input.reason } },
      ...(input.undo === false ? [] : [{ kind: 'ROLLBACK' as const, trigger: 'rollback.started', step: input.step, actor: input.owner }]),
    ]);
  });
}
