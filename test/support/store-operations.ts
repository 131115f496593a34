import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach } from 'vitest';
import { CLOUD_PROVIDERS } from '../../src/domain/cloud.js';
import { type PlanStep, TERMINAL_STEPS, planFor } from '../../src/domain/plans.js';
import { failureOf, successOf } from '../../src/domain/job-outcomes.js';
import { JobStatus } from '../../src/domain/provisioning.js';
import { contextFor } from '../../src/engine/run-job.js';
import { FileArchiveStore } from '../../src/drivers/archive/file-archive-store.js';
import { activate } from '../../src/steps/handlers/activate.js';
import { auditArchiveKey } from '../../src/steps/handlers/archive-audit-logs.js';
import { complete } from '../../src/steps/handlers/complete.js';
import { deleteTenantRecord } from '../../src/steps/handlers/delete-tenant-record.js';
import { validateNewTenant } from '../../src/domain/tenant-validation.js';
import type { Tier } from '../../src/domain/tiers.js';
import { generateApiKey } from '../../src/iam/api-key-format.js';
import { advanceJob } from '../../src/store/engine/advance-job.js';
import { beginRollback } from '../../src/store/engine/begin-rollback.js';
import { claimJob } from '../../src/store/engine/claim-job.js';
import { failJob } from '../../src/store/engine/fail-job.js';
import { type FinishJobInput, finishJob } from '../../src/store/engine/finish-job.js';
import type { ClaimedJob } from '../../src/store/engine/job-types.js';
import { requestDeprovision } from '../../src/store/infrastructure/request-deprovision.js';
import { createDeletionRequest, startDeletion } from '../../src/store/lifecycle/deletion.js';
import { suspendTenant } from '../../src/store/lifecycle/suspend-tenant.js';
import type { Db } from '../../src/store/open-database.js';
import { type CreatedTenant, createTenant } from '../../src/store/tenants/create-tenant.js';
import { type TestDatabase, openTestDatabase } from './databases.js';

/**
 * Preconditions for the store operations' own tests (src/store/**\/*.test.ts), built through the
 * operations themselves: a tenant is created with createTenant, its job claimed with claimJob,
 * moved with advanceJob and ended with finishJob or failJob, as the engine does, without running
 * any step handler but the terminal steps' (pure: they compute the receipt finishJob records).
 */

/** A real archive store: DELETE_TENANT_RECORD reads back the archive ARCHIVE_AUDIT_LOGS wrote. */
const archive = new FileArchiveStore(mkdtempSync(path.join(tmpdir(), 'matih-store-archive-')));
const TERMINAL_HANDLERS = new Map([activate(), complete(), deleteTenantRecord(archive)].map((h) => [h.name, h] as const));

/** What ARCHIVE_AUDIT_LOGS leaves for a deletion that did not run it: a real (small) archive. */
async function archiveFor(job: ClaimedJob): Promise<Record<string, unknown>> {
  const stored = await archive.put(auditArchiveKey(job.tenantId, job.id), Buffer.from(`{"type":"tenant","id":"${job.tenantId}"}\n`));
  return { archive: stored.location, sha256: stored.sha256, bytes: stored.bytes, records: 1 };
}

/** A lease long enough that it never runs out during a test unless the test wants it to. */
export const LEASE_MS = 60_000;

/**
 * A fresh migrated database for every test of the file. claimJob takes whichever job is due, so
 * one test's jobs must never be another's to claim.
 */
export function databasePerTest(options: { poolSize?: number } = {}): () => Db {
  let current: TestDatabase | undefined;
  beforeEach(async () => {
    current = await openTestDatabase({ poolSize: options.poolSize ?? 8 });
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('no test database: call the getter inside a test');
    return current.db;
  };
}

let counter = 0;

/** A new tenant (PROVISIONING, with a PENDING PROVISION job), made by createTenant. */
export async function newTenant(db: Db, options: { tier?: Tier; maxRetries?: number; slug?: string } = {}): Promise<CreatedTenant> {
  counter += 1;
  const n = `${process.pid}-${counter}-${Math.random().toString(36).slice(2, 7)}`;
  const tenant = validateNewTenant(
    {
      name: `Tenant ${n}`,
      slug: options.slug ?? `t-${n}`,
      tier: options.tier ?? 'PROFESSIONAL',
      adminEmail: `admin-${n}@example.com`,
      cloudProvider: 'AZURE',
      region: 'eastus',
    },
    { enabledCloudProviders: CLOUD_PROVIDERS },
  );
  const key = generateApiKey();
  return createTenant(db, { tenant, actor: 'test', apiKey: { id: key.id, secretHash: key.secretHash }, ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }) });
}

/** claimJob, which must find a job. */
export async function claim(db: Db, owner: string, leaseMs = LEASE_MS): Promise<ClaimedJob> {
  const job = await claimJob(db, owner, leaseMs);
  if (!job) throw new Error(`${owner} found no job to claim`);
  return job;
}

/** The step of the job's plan it is at (the step the worker holding it is running). */
export function stepOf(job: ClaimedJob): PlanStep {
  const step = planFor(job.tier, job.kind).steps.find((s) => s.name === job.currentStep);
  if (!step) throw new Error(`job ${job.id} is at no step of its plan (${String(job.currentStep)})`);
  return step;
}

function nextOf(job: ClaimedJob): PlanStep {
  const plan = planFor(job.tier, job.kind);
  const next = plan.steps[stepOf(job).position + 1];
  if (!next) throw new Error(`job ${job.id} has no step after ${String(job.currentStep)}`);
  return next;
}

/** advanceJob for the step the job is at, as a worker whose step succeeded; moves `job` along. */
export async function advance(db: Db, job: ClaimedJob, owner: string, outputs: Record<string, unknown> = {}, leaseMs = LEASE_MS): Promise<void> {
  const completed = stepOf(job);
  const next = nextOf(job);
  await advanceJob(db, {
    jobId: job.id,
    tenantId: job.tenantId,
    owner,
    leaseMs,
    kind: job.kind,
    completed: { name: completed.name, stage: completed.stage, outputs },
    next: { name: next.name, stage: next.stage },
  });
  job.currentStep = next.name;
}

/** Advances the job until it is at `step`. */
export async function advanceTo(db: Db, job: ClaimedJob, owner: string, step: string): Promise<void> {
  while (job.currentStep !== step) {
    if (TERMINAL_STEPS.has(stepOf(job).name)) throw new Error(`job ${job.id} never reaches ${step}`);
    await advance(db, job, owner);
  }
}

/** Advances the job to its terminal step (ACTIVATE, COMPLETE, DELETE_TENANT_RECORD). */
export async function advanceToTerminal(db: Db, job: ClaimedJob, owner: string, leaseMs = LEASE_MS): Promise<PlanStep> {
  while (!TERMINAL_STEPS.has(stepOf(job).name)) await advance(db, job, owner, {}, leaseMs);
  return stepOf(job);
}

/** The last step of the job's plan, where finishJob ends it. */
export function terminalOf(job: ClaimedJob): PlanStep {
  const last = planFor(job.tier, job.kind).steps.at(-1);
  if (!last) throw new Error(`the plan of job ${job.id} is empty`);
  return last;
}

/** Runs the job to its terminal step and ends it with finishJob. */
export async function finish(db: Db, job: ClaimedJob, owner: string, outputs: Record<string, Record<string, unknown>> = {}): Promise<void> {
  const terminal = await advanceToTerminal(db, job, owner);
  await finishJob(db, await finishInput(job, owner, terminal, outputs));
}

/** What the engine hands finishJob at `terminal`: the terminal step's receipt and the domain's outcome. */
export async function finishInput(job: ClaimedJob, owner: string, terminal: PlanStep, outputs: Record<string, Record<string, unknown>> = {}): Promise<FinishJobInput> {
  const handler = TERMINAL_HANDLERS.get(terminal.name);
  if (!handler) throw new Error(`${terminal.name} is not a terminal step`);
  if (terminal.name === 'DELETE_TENANT_RECORD' && !outputs.ARCHIVE_AUDIT_LOGS) outputs = { ...outputs, ARCHIVE_AUDIT_LOGS: await archiveFor(job) };
  const { outputs: receipt } = await handler.run(contextFor(job, outputs, new AbortController().signal));
  return {
    jobId: job.id,
    tenantId: job.tenantId,
    owner,
    leaseMs: LEASE_MS,
    kind: job.kind,
    step: terminal.name,
    stage: terminal.stage,
    receipt,
    desired: job.desired,
    outputs,
    success: successOf(job.kind),
  };
}

/** Claims the next due job and runs it to success; it must be `jobId` when given. */
export async function runNextJob(db: Db, jobId?: string | null): Promise<ClaimedJob> {
  const job = await claim(db, 'fixture-worker');
  if (jobId && job.id !== jobId) throw new Error(`claimed job ${job.id}, expected ${jobId}`);
  await finish(db, job, 'fixture-worker');
  return job;
}

/** Ends the claimed job for good at the step it is at: rollback begun (nothing undone), then failJob. */
export async function failClaimed(db: Db, job: ClaimedJob, owner: string, reason = `${String(job.currentStep)}: boom`): Promise<void> {
  await beginRollback(db, { jobId: job.id, tenantId: job.tenantId, owner, leaseMs: LEASE_MS, step: job.currentStep, reason, trigger: 'step.failed_permanently', undo: false });
  await failJob(db, { jobId: job.id, tenantId: job.tenantId, owner, leaseMs: LEASE_MS, fromStatus: JobStatus.ROLLING_BACK, cancelled: false, kind: job.kind, failure: failureOf(job.kind) });
}

/** An ACTIVE tenant: created, and its provisioning run to success. */
export async function activeTenant(db: Db, options: { tier?: Tier } = {}): Promise<CreatedTenant> {
  const created = await newTenant(db, options);
  await runNextJob(db, created.jobId);
  return created;
}

/** A SUSPENDED tenant whose SUSPEND job has finished. */
export async function suspendedTenant(db: Db, options: { tier?: Tier } = {}): Promise<CreatedTenant> {
  const created = await activeTenant(db, options);
  const { jobId } = await suspendTenant(db, { tenantId: created.tenant.id, actor: 'test', maxRetries: 3 });
  await runNextJob(db, jobId);
  return created;
}

/** A FAILED tenant: its provisioning failed for good at its first step. */
export async function failedTenant(db: Db, options: { tier?: Tier } = {}): Promise<CreatedTenant> {
  const created = await newTenant(db, options);
  const job = await claim(db, 'fixture-worker');
  await failClaimed(db, job, 'fixture-worker');
  return created;
}

/** A DEPROVISIONED tenant: active, then its DEPROVISION job run to success. */
export async function deprovisionedTenant(db: Db, options: { tier?: Tier } = {}): Promise<CreatedTenant> {
  const created = await activeTenant(db, options);
  const { jobId } = await requestDeprovision(db, { tenantId: created.tenant.id, actor: 'test', maxRetries: 3 });
  await runNextJob(db, jobId);
  return created;
}

/** A DELETED tenant (a tombstone): active, then its DELETE job run to success. */
export async function deletedTenant(db: Db, options: { tier?: Tier } = {}): Promise<CreatedTenant> {
  const created = await activeTenant(db, options);
  await runNextJob(db, await startTenantDeletion(db, created.tenant.id));
  return created;
}

/** A deletion started (tenant DELETING, DELETE job pending) the way the API does it: a code, then the request. */
export async function startTenantDeletion(db: Db, tenantId: string): Promise<string> {
  const codeHash = `hash-${Math.random().toString(36).slice(2)}`;
  await createDeletionRequest(db, { tenantId, actor: 'test', codeHash, ttlSeconds: 600 });
  const { jobId } = await startDeletion(db, {
    tenantId,
    actor: 'test',
    maxRetries: 3,
    codeMatches: (hash) => hash === codeHash,
    codeField: { field: 'confirmationCode', in: 'body' },
  });
  return jobId;
}

// Readers.

export async function jobRow(db: Db, jobId: string) {
  return db.selectFrom('tenantProvisioningJobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
}

export async function jobsOf(db: Db, tenantId: string) {
  return db.selectFrom('tenantProvisioningJobs').selectAll().where('tenantId', '=', tenantId).orderBy('id').execute();
}

export async function tenantRow(db: Db, tenantId: string) {
  return db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirstOrThrow();
}

export async function stepRows(db: Db, jobId: string) {
  const rows = await db.selectFrom('provisioningSteps').selectAll().where('jobId', '=', jobId).orderBy('position').execute();
  return new Map(rows.map((r) => [r.name, r]));
}

export async function stepRow(db: Db, jobId: string, name: string) {
  return db.selectFrom('provisioningSteps').selectAll().where('jobId', '=', jobId).where('name', '=', name).executeTakeFirstOrThrow();
}

export async function provisioningState(db: Db, tenantId: string) {
  return db.selectFrom('tenantProvisioningState').selectAll().where('tenantId', '=', tenantId).executeTakeFirstOrThrow();
}

export async function desiredState(db: Db, tenantId: string) {
  return db.selectFrom('desiredInfrastructureState').selectAll().where('tenantId', '=', tenantId).executeTakeFirstOrThrow();
}

export async function infrastructureRow(db: Db, tenantId: string) {
  return db.selectFrom('tenantInfrastructure').selectAll().where('tenantId', '=', tenantId).executeTakeFirstOrThrow();
}

/** The tenant's history (audit rows) in sequence order, optionally of one job. */
export async function historyOf(db: Db, tenantId: string, jobId?: string) {
  let q = db.selectFrom('provisioningAuditLogs').selectAll().where('tenantId', '=', tenantId);
  if (jobId !== undefined) q = q.where('jobId', '=', jobId);
  return q.orderBy('seq').execute();
}

/** The tenant's outbox events in the order they were written. */
export async function eventsOf(db: Db, tenantId: string) {
  return db.selectFrom('outbox').selectAll().where('aggregateId', '=', tenantId).orderBy(sql`id::bigint`).execute();
}

/** The database's clock, now (not the transaction's start). */
export async function databaseNow(db: Db): Promise<Date> {
  const result = await sql<{ now: Date }>`select clock_timestamp() as now`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('no clock');
  return row.now;
}

/**
 * Everything a worker's write on this tenant's job could change, to check that a refused write
 * changed nothing at all.
 */
export async function tenantSnapshot(db: Db, tenantId: string): Promise<Record<string, unknown>> {
  const jobs = await jobsOf(db, tenantId);
  const steps = await db
    .selectFrom('provisioningSteps')
    .selectAll()
    .where('jobId', 'in', jobs.length > 0 ? jobs.map((j) => j.id) : ['00000000-0000-0000-0000-000000000000'])
    .orderBy('jobId')
    .orderBy('position')
    .execute();
  return {
    tenant: await tenantRow(db, tenantId),
    jobs,
    steps,
    state: await db.selectFrom('tenantProvisioningState').selectAll().where('tenantId', '=', tenantId).executeTakeFirst(),
    desired: await db.selectFrom('desiredInfrastructureState').selectAll().where('tenantId', '=', tenantId).executeTakeFirst(),
    infrastructure: await db.selectFrom('tenantInfrastructure').selectAll().where('tenantId', '=', tenantId).executeTakeFirst(),
    transitions: await db.selectFrom('infrastructureStateTransitions').selectAll().where('tenantId', '=', tenantId).orderBy('id').execute(),
    history: await historyOf(db, tenantId),
    events: await eventsOf(db, tenantId),
    users: await db.selectFrom('users').selectAll().where('tenantId', '=', tenantId).orderBy('id').execute(),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
