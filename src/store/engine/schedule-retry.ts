import { sql } from 'kysely';
import { JobStatus } from '../../domain/provisioning.js';
import { StepStatus } from '../../domain/progress.js';
import type { Db } from '../open-database.js';
import { appendAudit } from './audit.js';
import { guardJob } from './guard.js';

export interface ScheduleRetryInput {
  jobId: string;
  tenantId: string;
  owner: string;
  leaseMs: number;
  step: string;
  error: string;
  backoffSeconds: number;
}

/**
 * A retryable failure is state, not a log line: retryCount, errorMessage and nextRetryAt go on
 * the job, the wait is measured on the database clock, and the lease is given up so any worker
 * (in any replica) can take the job when it is due.
 */
export async function scheduleRetry(db: Db, input: ScheduleRetryInput): Promise<Date> {
  return db.transaction().execute(async (trx) => {
    await guardJob(trx, { jobId: input.jobId, owner: input.owner, status: JobStatus.RUNNING, step: input.step }, input.leaseMs);
    const job = await trx
      .updateTable('tenantProvisioningJobs')
      .set((eb) => ({
        retryCount: eb('retryCount', '+', 1),
        errorMessage: input.error,
        nextRetryAt: sql<Date>`now() + ${input.backoffSeconds} * interval '1 second'`,
        leaseOwner: null,
        leaseUntil: null,
      }))
      .where('id', '=', input.jobId)
      .returning(['retryCount', 'nextRetryAt'])
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('provisioningSteps')
      .set({ status: StepStatus.FAILED, lastError: input.error })
      .where('jobId', '=', input.jobId)
      .where('name', '=', input.step)
      .execute();
    await trx
      .updateTable('tenantProvisioningState')
      .set((eb) => ({ retryCount: eb('retryCount', '+', 1), lastUpdatedAt: sql<Date>`now()` }))
      .where('tenantId', '=', input.tenantId)
      .execute();
    await appendAudit(trx, input.tenantId, input.jobId, [
      {
        kind: 'STEP',
        trigger: 'step.failed',
        step: input.step,
        actor: input.owner,
        details: { error: input.error, retryable: true, retryCount: job.retryCount, nextRetryAt: job.nextRetryAt, backoffSeconds: input.backoffSeconds },
      },
    ]);
    return job.nextRetryAt ?? new Date();
  });
}
