import { sql, type Transaction } from 'kysely';
import { infrastructureStatusAfter } from '../../domain/infrastructure.js';
import type { InfrastructureConfiguration } from '../../domain/infrastructure-configuration.js';
import type { StepName } from '../../domain/plans.js';
import { StepStatus } from '../../domain/progress.js';
import type { JobSuccess, StepOutputs } from '../../domain/job-outcomes.js';
import { type JobKind, JobStatus, ProvisioningState, ProvisioningStatus } from '../../domain/provisioning.js';
import type { Tenant } from '../../domain/tenant.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import { moveInfrastructure } from '../infrastructure/move-infrastructure.js';
import type { Db } from '../open-database.js';
import type { Schema } from '../schema.js';
import { appendEvent } from '../outbox/append-event.js';
import { toTenant } from '../tenants/tenant-row.js';
import { appendAudit } from './audit.js';
import { guardJob } from './guard.js';
import { type JobTimes, jobDuration, stepDurations } from './job-times.js';
import { tombstoneTenant } from './tombstone-tenant.js';

export interface FinishJobInput {
  jobId: string;
  tenantId: string;
  owner: string;
  leaseMs: number;
  kind: JobKind;
  /** The terminal step (ACTIVATE, COMPLETE or DELETE_TENANT_RECORD), its stage, and what it recorded. */
  step: StepName;
  stage: string;
  receipt: Record<string, unknown>;
  /** The declaration the job converged to (generation read at claim). */
  desired: { generation: number; suspended: boolean; configuration: InfrastructureConfiguration };
  /** Outputs of every step of this job, for the event. */
  outputs: StepOutputs;
  /** What the job's success means for the tenant (domain/job-outcomes.ts's successOf(kind)). */
  success: JobSuccess;
}

/**
 * The commit that ends a successful job: the job SUCCEEDED, its terminal step completed with its
 * receipt, the audit rows, the infrastructure record's final status and configuration, the
 * generation the tenant now matches, and the outcome it is told (the tenant's status, its admin,
 * the event), all at once.
 */
export async function finishJob(db: Db, input: FinishJobInput): Promise<JobTimes> {
  return db.transaction().execute(async (trx) => {
    await guardJob(trx, { jobId: input.jobId, owner: input.owner, status: JobStatus.RUNNING, step: input.step }, input.leaseMs, {
      status: JobStatus.SUCCEEDED,
      currentState: ProvisioningState.COMPLETED,
      currentStep: null,
      completedAt: sql<Date>`now()`,
      errorMessage: null,
      leaseOwner: null,
      leaseUntil: null,
    });
    await trx
      .updateTable('provisioningSteps')
      .set({ status: StepStatus.COMPLETED, completedAt: sql<Date>`now()`, outputs: JSON.stringify(input.receipt) })
      .where('jobId', '=', input.jobId)
      .where('name', '=', input.step)
      .execute();
    await trx
      .updateTable('tenantProvisioningState')
      .set({ status: ProvisioningStatus.COMPLETED, currentPhase: ProvisioningState.COMPLETED, failureReason: null, lastUpdatedAt: sql<Date>`now()` })
      .where('tenantId', '=', input.tenantId)
      .execute();
    await trx
      .updateTable('desiredInfrastructureState')
      .set((eb) => ({ observedGeneration: sql<number>`greatest(${eb.ref('observedGeneration')}, ${input.desired.generation})`, lastReconciledAt: sql<Date>`now()` }))
      .where('tenantId', '=', input.tenantId)
      .execute();
    await moveInfrastructure(trx, {
      tenantId: input.tenantId,
      to: infrastructureStatusAfter(input.kind, input.desired.suspended),
      trigger: 'job.succeeded',
      jobId: input.jobId,
      details: { kind: input.kind, generation: input.desired.generation },
      configuration: { ...input.desired.configuration },
    });
    const durationMs = await jobDuration(trx, input.jobId);
    await appendAudit(trx, input.tenantId, input.jobId, [
      { kind: 'STEP', trigger: 'step.completed', step: input.step, toState: input.stage, actor: input.owner },
      { kind: 'STAGE', trigger: 'stage.completed', fromState: input.stage, toState: ProvisioningState.COMPLETED, actor: input.owner },
      {
        kind: 'JOB',
        trigger: 'job.succeeded',
        toState: ProvisioningState.COMPLETED,
        actor: input.owner,
        details: { kind: input.kind, durationMs, ...(input.success.keepsReceipt ? { receipt: input.receipt } : {}) },
      },
    ]);
    const tenant = await applySuccess(trx, input.tenantId, input.success);
    const event = input.success.event({
      jobId: input.jobId,
      tenantId: input.tenantId,
      tenant,
      generation: input.desired.generation,
      configuration: input.desired.configuration,
      outputs: input.outputs,
      receipt: input.receipt,
      durationMs,
    });
    if (event) await appendEvent(trx, input.tenantId, event.type, event.payload);
    return { durationMs, steps: await stepDurations(trx, input.jobId) };
  });
}

/** The tenant's side of the outcome; returns the tenant as the event describes it (before a deletion removes it). */
async function applySuccess(trx: Transaction<Schema>, tenantId: string, success: JobSuccess): Promise<Tenant> {
  if (success.activatesTenant) {
    await trx.updateTable('users').set({ status: 'ACTIVE', updatedAt: new Date() }).where('tenantId', '=', tenantId).where('isTenantAdmin', '=', true).execute();
  }
  const target = success.tenantStatus;
  if (target === undefined || target === TenantStatus.DELETED) {
    const tenant = toTenant(await trx.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirstOrThrow());
    if (target === TenantStatus.DELETED) await tombstoneTenant(trx, tenantId);
    return tenant;
  }
  const row = await trx
    .updateTable('tenants')
    .set({
      status: target,
      updatedAt: new Date(),
      ...(success.activatesTenant ? { provisioningCompletedAt: sql<Date>`now()` } : {}),
      ...(success.clearsError ? { provisioningError: null } : {}),
    })
    .where('id', '=', tenantId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toTenant(row);
}
