import { sql } from 'kysely';
import { EventType } from '../../domain/events.js';
import { JobStatus, ProvisioningState, ProvisioningStatus } from '../../domain/provisioning.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import type { Db } from '../open-database.js';
import { appendEvent } from '../outbox/append-event.js';
import { appendAudit } from './audit.js';
import { guardJob } from './guard.js';

export interface FailJobInput {
  jobId: string;
  tenantId: string;
  owner: string;
  leaseMs: number;
  /** The status the worker holds the job in: ROLLING_BACK, or RUNNING when rollback is off. */
  fromStatus: string;
  cancelled: boolean;
}

/**
 * The end of a failed (or cancelled) job: job FAILED/CANCELLED, tenant FAILED with the reason,
 * provisioning state FAILED, and the failure event that notifies the tenant admin.
 */
export async function failJob(db: Db, input: FailJobInput): Promise<void> {
  await db.transaction().execute(async (trx) => {
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
    const tenant = await trx
      .updateTable('tenants')
      .set({ status: TenantStatus.FAILED, provisioningError: reason, updatedAt: new Date() })
      .where('id', '=', input.tenantId)
      .where('status', '=', TenantStatus.PROVISIONING)
      .returning(['slug', 'name', 'adminEmail'])
      .executeTakeFirst();
    await trx
      .updateTable('tenantProvisioningState')
      .set({ status: ProvisioningStatus.FAILED, failureReason: reason, lastUpdatedAt: sql<Date>`now()` })
      .where('tenantId', '=', input.tenantId)
      .execute();
    await appendAudit(trx, input.tenantId, input.jobId, [
      { kind: 'JOB', trigger: input.cancelled ? 'job.cancelled' : 'job.failed', toState: ProvisioningState.FAILED, step: job.failedStep, actor: input.owner, details: { reason } },
    ]);
    await appendEvent(trx, input.tenantId, input.cancelled ? EventType.PROVISIONING_CANCELLED : EventType.PROVISIONING_FAILED, {
          tenantId: input.tenantId,
          jobId: input.jobId,
          slug: tenant?.slug,
          tenantName: tenant?.name,
          adminEmail: tenant?.adminEmail,
          reason,
          failedStep: job.failedStep,
        });
  });
}
