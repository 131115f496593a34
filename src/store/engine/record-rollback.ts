import { StepStatus } from '../../domain/progress.js';
import { JobStatus } from '../../domain/provisioning.js';
import type { Db } from '../open-database.js';
import { appendAudit } from './audit.js';
import { guardJob } from './guard.js';

export interface RecordRollbackInput {
  jobId: string;
  tenantId: string;
  owner: string;
  leaseMs: number;
  step: string;
  /** Undefined: undone. A message: the undo failed and was given up (reported, not hidden). */
  error?: string | undefined;
}

export async function recordRollback(db: Db, input: RecordRollbackInput): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await guardJob(trx, { jobId: input.jobId, owner: input.owner, status: JobStatus.ROLLING_BACK }, input.leaseMs);
    await trx
      .updateTable('provisioningSteps')
      .set({ status: input.error ? StepStatus.ROLLBACK_FAILED : StepStatus.ROLLED_BACK, ...(input.error ? { lastError: input.error } : {}) })
      .where('jobId', '=', input.jobId)
      .where('name', '=', input.step)
      .execute();
    await appendAudit(trx, input.tenantId, input.jobId, [
      {
        kind: 'ROLLBACK',
        trigger: input.error ? 'rollback.step_failed' : 'rollback.step_completed',
        step: input.step,
        actor: input.owner,
        details: input.error ? { error: input.error } : {},
      },
    ]);
  });
}
