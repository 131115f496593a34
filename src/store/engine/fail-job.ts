import { sql } from 'kysely';
import { InfrastructureStatus } from '../../domain/infrastructure.js';
import type { JobFailure } from '../../domain/job-outcomes.js';
import { type JobKind, JobStatus, ProvisioningState, ProvisioningStatus } from '../../domain/provisioning.js';
import { moveInfrastructure } from '../infrastructure/move-infrastructure.js';
import type { Db } from '../open-database.js';
import { appendEvent } from '../outbox/append-event.js';
import { appendAudit } from './audit.js';
import { guardJob } from './guard.js';
import { type JobTimes, jobDuration, stepDurations } from './job-times.js';

export interface FailJobInput {
  jobId: string;
  tenantId: string;
  owner: string;
  leaseMs: number;
  /** The status the worker holds the job in: ROLLING_BACK, or RUNNING when rollback is off. */
  fromStatus: string;
  cancelled: boolean;
  kind: JobKind;
  /** What the failure means for the tenant (domain/job-outcomes.ts's failureOf(kind)). */
  failure: JobFailure;
}

/**
 * The end of a failed (or cancelled) job: job FAILED/CANCELLED, provisioning state FAILED, the
 * infrastructure record FAILED, the audit row, and the outcome it is told: the tenant's status
 * when the failure changes it (a provisioning's: FAILED, with the reason) and the event.
 */
export async function failJob(db: Db, input: FailJobInput): Promise<JobTimes> {
  return db.transaction().execute(async (trx) => {
    const final = input.cancelled ? JobStatus.CANCELLED : JobStatus.FAILED;
    await guardJob(trx, { jobId: input.jobId, owner: input.owner, status: input.fromStatus }, input.leaseMs, {
      status: final,
      completedAt: sql<Date>`now()`,
      leaseOwner: null,
      leaseUntil: null,
      currentState: ProvisioningState.FAILED,
    });
    const job = await trx
      .selectFrom('tenantProvisioningJobs')
      .select(['errorMessage', 'failedStep', 'cancelRequestedBy', 'tier'])
      .where('id', '=', input.jobId)
      .executeTakeFirstOrThrow();
    const reason = job.errorMessage ?? (input.cancelled ? `cancelled by ${job.cancelRequestedBy ?? 'unknown'}` : 'provisioning failed');
    const { tenantStatus, tenantStatusFrom } = input.failure;
    const tenant =
      tenantStatus === undefined
        ? await trx.selectFrom('tenants').select(['slug', 'name', 'adminEmail']).where('id', '=', input.tenantId).executeTakeFirst()
        : await trx
            .updateTable('tenants')
            .set({ status: tenantStatus, provisioningError: reason, updatedAt: new Date() })
            .where('id', '=', input.tenantId)
            .$if(tenantStatusFrom !== undefined, (q) => q.where('status', '=', tenantStatusFrom ?? tenantStatus))
            .returning(['slug', 'name', 'adminEmail'])
            .executeTakeFirst();
    await moveInfrastructure(trx, {
      tenantId: input.tenantId,
      to: InfrastructureStatus.FAILED,
      trigger: input.cancelled ? 'job.cancelled' : 'job.failed',
      jobId: input.jobId,
      details: { kind: input.kind, reason, failedStep: job.failedStep },
    });
    await trx
      .updateTable('tenantProvisioningState')
      .set({ status: ProvisioningStatus.FAILED, failureReason: reason, lastUpdatedAt: sql<Date>`now()` })
      .where('tenantId', '=', input.tenantId)
      .execute();
    await appendAudit(trx, input.tenantId, input.jobId, [
      { kind: 'JOB', trigger: input.cancelled ? 'job.cancelled' : 'job.failed', toState: ProvisioningState.FAILED, step: job.failedStep, actor: input.owner, details: { reason, kind: input.kind } },
    ]);
    const event = input.failure.event({ jobId: input.jobId, tenantId: input.tenantId, kind: input.kind, tenant, reason, failedStep: job.failedStep, cancelled: input.cancelled });
    await appendEvent(trx, input.tenantId, event.type, event.payload);
    return { durationMs: await jobDuration(trx, input.jobId), steps: await stepDurations(trx, input.jobId) };
  });
}
