import { describe, expect, it } from 'vitest';
import { planFor } from '../../domain/plans.js';
import { JobKind, JobStatus } from '../../domain/provisioning.js';
import { Tier } from '../../domain/tiers.js';
import {
  LEASE_MS,
  activeTenant,
  claim,
  databasePerTest,
  failClaimed,
  historyOf,
  jobRow,
  jobsOf,
  newTenant,
  provisioningState,
  sleep,
  stepRows,
  tenantSnapshot,
} from '../../../test/support/store-operations.js';
import type { Db } from '../open-database.js';
import { beginRollback } from './begin-rollback.js';
import { enqueueOperation } from './enqueue-operation.js';
import { lockTenant, requireNoOpenJob } from './request-operation.js';

/** What every operation does: lock the tenant, check no job is in flight, queue its job. */
function queueSuspend(db: Db, tenantId: string, actor = 'test', afterCheck: () => Promise<void> = async () => undefined) {
  return db.transaction().execute(async (trx) => {
    const tenant = await lockTenant(trx, tenantId);
    await requireNoOpenJob(trx, tenantId);
    await afterCheck();
    return enqueueOperation(trx, { tenantId, kind: JobKind.SUSPEND, tier: tenant.tier as Tier, actor, trigger: 'test.suspend', details: { reason: 'unpaid' } });
  });
}

describe('enqueueOperation', () => {
  const db = databasePerTest();

  it('queues a PENDING job of the kind with its plan laid out, points the tenant\'s provisioning state at it, and records who asked and why', async () => {
    const created = await activeTenant(db());
    const { jobId } = await queueSuspend(db(), created.tenant.id, 'alice');

    const job = await jobRow(db(), jobId);
    expect(job).toMatchObject({ tenantId: created.tenant.id, kind: JobKind.SUSPEND, tier: Tier.PROFESSIONAL, status: JobStatus.PENDING, initiatedBy: 'alice', maxRetries: 3, retryCount: 0, currentStep: 'DEPLOY_CORE_SERVICES', currentState: 'INITIAL' });
    // The plan's rows are there before any worker looks: what the status API shows is what the worker will run.
    expect([...(await stepRows(db(), jobId)).values()].map((r) => [r.name, r.status, r.attempts])).toEqual(
      planFor(Tier.PROFESSIONAL, JobKind.SUSPEND).steps.map((step) => [step.name, 'PENDING', 0]),
    );
    expect(job.context).toMatchObject({ trigger: 'test.suspend', reason: 'unpaid' });
    expect((await provisioningState(db(), created.tenant.id)).jobId).toBe(jobId);
    expect((await historyOf(db(), created.tenant.id, jobId)).map((h) => [h.kind, h.trigger, h.actor, h.details])).toEqual([
      ['OPERATION', 'test.suspend', 'alice', { kind: JobKind.SUSPEND, tier: Tier.PROFESSIONAL, reason: 'unpaid' }],
    ]);

    // A worker runs it like any job, on the plan of its kind.
    const claimed = await claim(db(), 'worker-a');
    expect(claimed).toMatchObject({ id: jobId, kind: JobKind.SUSPEND, currentStep: 'DEPLOY_CORE_SERVICES' });
    expect(await jobRow(db(), jobId)).toMatchObject({ status: JobStatus.RUNNING, currentStep: 'DEPLOY_CORE_SERVICES', currentState: 'SUSPENDING' });
  });

  it('takes the retry budget it is given', async () => {
    const created = await activeTenant(db());
    const { jobId } = await db().transaction().execute((trx) =>
      enqueueOperation(trx, { tenantId: created.tenant.id, kind: JobKind.UPDATE, tier: Tier.PROFESSIONAL, actor: 'a', trigger: 't', maxRetries: 7 }),
    );
    expect((await jobRow(db(), jobId)).maxRetries).toBe(7);
  });

  it('commits or rolls back with the caller\'s transaction', async () => {
    const created = await activeTenant(db());
    const before = await tenantSnapshot(db(), created.tenant.id);
    await expect(
      db().transaction().execute(async (trx) => {
        await enqueueOperation(trx, { tenantId: created.tenant.id, kind: JobKind.SUSPEND, tier: Tier.PROFESSIONAL, actor: 'a', trigger: 't' });
        throw new Error('the declaration change failed');
      }),
    ).rejects.toThrow('the declaration change failed');
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });

  it('cannot queue a second open job for a tenant even without the check: the database refuses it', async () => {
    const created = await newTenant(db());
    await expect(
      db().transaction().execute((trx) => enqueueOperation(trx, { tenantId: created.tenant.id, kind: JobKind.UPDATE, tier: Tier.PROFESSIONAL, actor: 'a', trigger: 't' })),
    ).rejects.toThrow(/tenant_provisioning_jobs_open_key/);
    expect(await jobsOf(db(), created.tenant.id)).toHaveLength(1);
  });
});

describe('requireNoOpenJob', () => {
  const db = databasePerTest();

  it('answers 409 job_in_flight naming the job while one is PENDING, RUNNING or ROLLING_BACK', async () => {
    const created = await newTenant(db());
    const tenantId = created.tenant.id;
    const check = () => db().transaction().execute((trx) => requireNoOpenJob(trx, tenantId));

    await expect(check()).rejects.toMatchObject({ kind: 'CONFLICT', code: 'job_in_flight', message: expect.stringContaining(created.jobId) as unknown });
    const job = await claim(db(), 'worker-a');
    await expect(check()).rejects.toMatchObject({ code: 'job_in_flight', message: expect.stringContaining('RUNNING') as unknown });
    await beginRollback(db(), { jobId: job.id, tenantId, owner: 'worker-a', leaseMs: LEASE_MS, step: job.currentStep, reason: 'x', trigger: 'step.failed_permanently' });
    await expect(check()).rejects.toMatchObject({ code: 'job_in_flight', message: expect.stringContaining('ROLLING_BACK') as unknown });
  });

  it('lets an operation through once the last job ended, whether it succeeded or failed', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a');
    await failClaimed(db(), job, 'worker-a');
    await expect(db().transaction().execute((trx) => requireNoOpenJob(trx, created.tenant.id))).resolves.toBeUndefined();

    const active = await activeTenant(db());
    await expect(queueSuspend(db(), active.tenant.id)).resolves.toHaveProperty('jobId');
  });

  it('lets exactly one of several concurrent operations on a tenant through (the tenant row lock)', async () => {
    const created = await activeTenant(db());
    // Each request holds its transaction open after its check until all have checked (or 300 ms
    // passed): without the lock every one of them would pass the check.
    const n = 4;
    let arrived = 0;
    let allChecked = (): void => undefined;
    const checked = new Promise<void>((resolve) => {
      allChecked = resolve;
    });
    const afterCheck = async () => {
      arrived += 1;
      if (arrived === n) allChecked();
      await Promise.race([checked, sleep(300)]);
    };
    const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => queueSuspend(db(), created.tenant.id, `actor-${i}`, afterCheck)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'job_in_flight' });
    expect((await jobsOf(db(), created.tenant.id)).filter((j) => j.kind === JobKind.SUSPEND)).toHaveLength(1);
  });

  it('lockTenant answers not_found for a tenant that does not exist', async () => {
    await expect(db().transaction().execute((trx) => lockTenant(trx, '00000000-0000-7000-8000-000000000000'))).rejects.toMatchObject({ kind: 'NOT_FOUND' });
  });
});
