import { sql } from 'kysely';
import { EventType } from '../../domain/events.js';
import { StepName } from '../../domain/plans.js';
import { StepStatus } from '../../domain/progress.js';
import { JobStatus, ProvisioningState, ProvisioningStatus } from '../../domain/provisioning.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import type { Db } from '../open-database.js';
import { appendEvent } from '../outbox/append-event.js';
import { toTenant } from '../tenants/tenant-row.js';
import { appendAudit } from './audit.js';
import { guardJob } from './guard.js';

export interface FinishJobInput {
  jobId: string;
  tenantId: string;
  owner: string;
  leaseMs: number;
  stage: string;
}

/**
 * ACTIVATE (spec/002 phase 8, spec/004 "Provisioning Completion"), in the commit that ends the
 * job: the admin user becomes active in IAM, the tenant ACTIVE with provisioningCompletedAt set
 * and provisioningError cleared, and TENANT_PROVISIONED goes out (with the welcome notification).
 */
export async function finishJob(db: Db, input: FinishJobInput): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await guardJob(trx, { jobId: input.jobId, owner: input.owner, status: JobStatus.RUNNING, step: StepName.ACTIVATE }, input.leaseMs, {
      status: JobStatus.SUCCEEDED,
      currentState: ProvisioningState.COMPLETED,
      currentStep: null,
      completedAt: sql<Date>`now()`,
      errorMessage: null,
      leaseOwner: null,
      leaseUntil: null,
    });
    await trx.updateTable('users').set({ status: 'ACTIVE', updatedAt: new Date() }).where('tenantId', '=', input.tenantId).where('isTenantAdmin', '=', true).execute();
    const row = await trx
      .updateTable('tenants')
      .set({ status: TenantStatus.ACTIVE, provisioningCompletedAt: sql<Date>`now()`, provisioningError: null, updatedAt: new Date() })
      .where('id', '=', input.tenantId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('provisioningSteps')
      .set({ status: StepStatus.COMPLETED, completedAt: sql<Date>`now()`, outputs: JSON.stringify({ adminActivated: true }) })
      .where('jobId', '=', input.jobId)
      .where('name', '=', StepName.ACTIVATE)
      .execute();
    await trx
      .updateTable('tenantProvisioningState')
      .set({ status: ProvisioningStatus.COMPLETED, currentPhase: ProvisioningState.COMPLETED, failureReason: null, lastUpdatedAt: sql<Date>`now()` })
      .where('tenantId', '=', input.tenantId)
      .execute();
    const tenant = toTenant(row);
    const durationMs = tenant.provisioningStartedAt ? Date.now() - tenant.provisioningStartedAt.getTime() : null;
    await appendAudit(trx, input.tenantId, input.jobId, [
      { kind: 'STEP', trigger: 'step.completed', step: StepName.ACTIVATE, toState: input.stage, actor: input.owner },
      { kind: 'STAGE', trigger: 'stage.completed', fromState: input.stage, toState: ProvisioningState.COMPLETED, actor: input.owner },
      { kind: 'JOB', trigger: 'job.succeeded', toState: ProvisioningState.COMPLETED, actor: input.owner, details: { durationMs } },
    ]);
    await appendEvent(trx, input.tenantId, EventType.TENANT_PROVISIONED, { tenant, adminEmail: tenant.adminEmail, tenantName: tenant.name, slug: tenant.slug, jobId: input.jobId, durationMs });
  });
}
