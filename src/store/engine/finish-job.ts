import { sql, type Transaction } from 'kysely';
import { EventType } from '../../domain/events.js';
import { infrastructureStatusAfter } from '../../domain/infrastructure.js';
import type { InfrastructureConfiguration } from '../../domain/infrastructure-configuration.js';
import type { StepName } from '../../domain/plans.js';
import { StepStatus } from '../../domain/progress.js';
import { JobKind, JobStatus, ProvisioningState, ProvisioningStatus } from '../../domain/provisioning.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import { moveInfrastructure } from '../infrastructure/move-infrastructure.js';
import type { Db } from '../open-database.js';
import type { Schema } from '../schema.js';
import { appendEvent } from '../outbox/append-event.js';
import { toTenant } from '../tenants/tenant-row.js';
import { appendAudit } from './audit.js';
import { guardJob } from './guard.js';
import { tombstoneTenant } from './tombstone-tenant.js';

export interface FinishJobInput {
  jobId: string;
  tenantId: string;
  owner: string;
  leaseMs: number;
  kind: JobKind;
  /** The terminal step (ACTIVATE, COMPLETE or DELETE_TENANT_RECORD) and its stage. */
  step: StepName;
  stage: string;
  /** The declaration the job converged to (generation read at claim). */
  desired: { generation: number; suspended: boolean; configuration: InfrastructureConfiguration };
  /** Outputs of every step of this job: the deletion receipt and the repaired drift come from them. */
  outputs: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * The commit that ends a successful job: the job SUCCEEDED, its terminal step completed, the
 * audit rows, the infrastructure record's final status and configuration, the generation the
 * tenant now matches, and what the operation itself means for the tenant (below), all at once.
 */
export async function finishJob(db: Db, input: FinishJobInput): Promise<void> {
  await db.transaction().execute(async (trx) => {
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
      .set({ status: StepStatus.COMPLETED, completedAt: sql<Date>`now()`, outputs: JSON.stringify(terminalOutputs(input)) })
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
        // A teardown's receipt (what each step removed, the archive and its checksum) stays in the history.
        details: { kind: input.kind, durationMs, ...(isTeardown(input.kind) ? { receipt: terminalOutputs(input) } : {}) },
      },
    ]);
    await OUTCOMES[input.kind](trx, input, durationMs);
  });
}

type Outcome = (trx: Transaction<Schema>, input: FinishJobInput, durationMs: number | null) => Promise<void>;

const OUTCOMES: Readonly<Record<JobKind, Outcome>> = {
  /**
   * ACTIVATE (spec/002 phase 8, spec/004 "Provisioning Completion"): the admin user becomes active
   * in IAM, the tenant ACTIVE with provisioningCompletedAt set and provisioningError cleared, and
   * TENANT_PROVISIONED goes out (with the welcome notification).
   */
  async PROVISION(trx, input, durationMs) {
    await trx.updateTable('users').set({ status: 'ACTIVE', updatedAt: new Date() }).where('tenantId', '=', input.tenantId).where('isTenantAdmin', '=', true).execute();
    const tenant = await setTenantStatus(trx, input.tenantId, TenantStatus.ACTIVE, { provisioningCompletedAt: sql<Date>`now()`, provisioningError: null });
    await appendEvent(trx, input.tenantId, EventType.TENANT_PROVISIONED, { tenant, adminEmail: tenant.adminEmail, tenantName: tenant.name, slug: tenant.slug, jobId: input.jobId, durationMs });
  },
  async UPDATE(trx, input) {
    const tenant = await setTenantStatus(trx, input.tenantId, TenantStatus.ACTIVE, { provisioningError: null });
    await appendEvent(trx, input.tenantId, EventType.TENANT_UPDATED, {
      tenantId: input.tenantId,
      slug: tenant.slug,
      tier: tenant.tier,
      generation: input.desired.generation,
      configuration: input.desired.configuration,
      jobId: input.jobId,
      changed: changesOf(input.outputs),
    });
  },
  async RECONCILE(trx, input) {
    const changed = changesOf(input.outputs);
    if (Object.keys(changed).length === 0) return;
    await appendEvent(trx, input.tenantId, EventType.DRIFT_REPAIRED, { tenantId: input.tenantId, jobId: input.jobId, generation: input.desired.generation, repaired: changed });
  },
  /** spec/002 "Suspension" 4-5: TENANT_SUSPENDED, which notifies the tenant admin. */
  async SUSPEND(trx, input) {
    const tenant = await readTenant(trx, input.tenantId);
    await appendEvent(trx, input.tenantId, EventType.TENANT_SUSPENDED, {
      tenantId: input.tenantId, slug: tenant.slug, tenantName: tenant.name, adminEmail: tenant.adminEmail, jobId: input.jobId, scaledDown: changesOf(input.outputs),
    });
  },
  /** spec/002 "Reactivation" 3-4: ACTIVE once every service passed its health check, TENANT_ACTIVATED. */
  async REACTIVATE(trx, input) {
    const tenant = await setTenantStatus(trx, input.tenantId, TenantStatus.ACTIVE, {});
    await appendEvent(trx, input.tenantId, EventType.TENANT_ACTIVATED, {
      tenantId: input.tenantId, slug: tenant.slug, tenantName: tenant.name, adminEmail: tenant.adminEmail, jobId: input.jobId,
    });
  },
  async DEPROVISION(trx, input) {
    const tenant = await setTenantStatus(trx, input.tenantId, TenantStatus.DEPROVISIONED, {});
    await appendEvent(trx, input.tenantId, EventType.TENANT_DEPROVISIONED, { tenantId: input.tenantId, slug: tenant.slug, jobId: input.jobId, removed: removedBy(input.outputs) });
  },
  /** spec/002 "Deletion" 7-8: the record goes (a tombstone stays for the history), TENANT_DELETED. */
  async DELETE(trx, input) {
    const tenant = await readTenant(trx, input.tenantId);
    await tombstoneTenant(trx, input.tenantId);
    await appendEvent(trx, input.tenantId, EventType.TENANT_DELETED, {
      tenantId: input.tenantId,
      slug: tenant.slug,
      tenantName: tenant.name,
      adminEmail: tenant.adminEmail,
      jobId: input.jobId,
      receipt: terminalOutputs(input),
    });
  },
};

async function setTenantStatus(trx: Transaction<Schema>, tenantId: string, status: TenantStatus, extra: { provisioningCompletedAt?: ReturnType<typeof sql<Date>>; provisioningError?: null }) {
  const row = await trx.updateTable('tenants').set({ status, updatedAt: new Date(), ...extra }).where('id', '=', tenantId).returningAll().executeTakeFirstOrThrow();
  return toTenant(row);
}

async function readTenant(trx: Transaction<Schema>, tenantId: string) {
  return toTenant(await trx.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirstOrThrow());
}

async function jobDuration(trx: Transaction<Schema>, jobId: string): Promise<number | null> {
  const row = await trx.selectFrom('tenantProvisioningJobs').select(['startedAt', 'createdAt']).where('id', '=', jobId).executeTakeFirst();
  const start = row?.startedAt ?? row?.createdAt;
  return start ? Date.now() - start.getTime() : null;
}

/** What the terminal step records: for a teardown, the receipt of what each step removed. */
function terminalOutputs(input: FinishJobInput): Record<string, unknown> {
  if (input.kind === JobKind.PROVISION) return { adminActivated: true };
  if (isTeardown(input.kind)) return { removed: removedBy(input.outputs), recordDeleted: input.kind === JobKind.DELETE };
  return { generation: input.desired.generation, changed: changesOf(input.outputs) };
}

function isTeardown(kind: JobKind): boolean {
  return kind === JobKind.DELETE || kind === JobKind.DEPROVISION;
}

/** Per step, what a converging run changed: the objects applied or pruned, the records written. */
export function changesOf(outputs: FinishJobInput['outputs']): Record<string, Record<string, unknown>> {
  const changed: Record<string, Record<string, unknown>> = {};
  for (const [step, out] of Object.entries(outputs)) {
    const picked: Record<string, unknown> = {};
    for (const key of ['applied', 'pruned', 'written', 'created', 'repaired'] as const) {
      const value = out[key];
      if (Array.isArray(value) ? value.length > 0 : value === true) picked[key] = value;
    }
    if (Object.keys(picked).length > 0) changed[step] = picked;
  }
  return changed;
}

function removedBy(outputs: FinishJobInput['outputs']): Record<string, unknown> {
  const removed: Record<string, unknown> = {};
  for (const [step, out] of Object.entries(outputs)) if ('removed' in out || 'archive' in out) removed[step] = out;
  return removed;
}
