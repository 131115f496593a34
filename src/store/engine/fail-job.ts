import { sql } from 'kysely';
import { EventType } from '../../domain/events.js';
import { InfrastructureStatus } from '../../domain/infrastructure.js';
import { JobKind, JobStatus, ProvisioningState, ProvisioningStatus } from '../../domain/provisioning.js';
import { moveInfrastructure } from '../infrastructure/move-infrastructure.js';
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
  kind: JobKind;
}

/**
 * The end of a failed (or cancelled) job: job FAILED/CANCELLED, provisioning state FAILED, the
 * infrastructure record FAILED, and the failure event. A provisioning also makes the tenant
 * FAILED (and notifies its admin); any other operation leaves the tenant's status as it was
 * (ACTIVE, SUSPENDED, or DELETING for a deletion to resume) and says so in its event.
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
    const tenant =
      input.kind === JobKind.PROVISION
        ? await trx
            .updateTable('tenants')
            .set({ status: TenantStatus.FAILED, provisioningError: reason, updatedAt: new Date() })
            .where('id', '=', input.tenantId)
            .where('status', '=', TenantStatus.PROVISIONING)
            .returning(['slug', 'name', 'adminEmail'])
            .executeTakeFirst()
        : await trx.selectFrom('tenants').select(['slug', 'name', 'adminEmail']).where('id', '=', input.tenantId).executeTakeFirst();
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
    if (input.kind !== JobKind.PROVISION) {
      await appendEvent(trx, input.tenantId, input.kind === JobKind.RECONCILE ? EventType.RECONCILE_FAILED : EventType.OPERATION_FAILED, {
        tenantId: input.tenantId,
        jobId: input.jobId,
        kind: input.kind,
        slug: tenant?.slug,
        reason,
        failedStep: job.failedStep,
        cancelled: input.cancelled,
      });
      return;
    }
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
