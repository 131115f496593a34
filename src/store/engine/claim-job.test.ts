import { describe, expect, it } from 'vitest';
import { planFor } from '../../domain/plans.js';
import { JobKind, JobStatus } from '../../domain/provisioning.js';
import { requestUpdate } from '../infrastructure/request-update.js';
import { queueReconcile } from '../reconcile/queue-reconcile.js';
import {
  LEASE_MS,
  activeTenant,
  claim,
  databaseNow,
  databasePerTest,
  failedTenant,
  historyOf,
  infrastructureRow,
  jobRow,
  newTenant,
  sleep,
  stepRows,
} from '../../../test/support/store-operations.js';
import { beginRollback } from './begin-rollback.js';
import { requestCancel } from './cancel-job.js';
import { claimJob } from './claim-job.js';
import { scheduleRetry } from './schedule-retry.js';

describe('claimJob', () => {
  const db = databasePerTest({ poolSize: 24 });

  it('takes a pending job: RUNNING, leased to the claimer, its plan laid out and its first step started', async () => {
    const created = await newTenant(db());
    const before = await databaseNow(db());
    const job = await claim(db(), 'worker-a');
    const after = await databaseNow(db());

    expect(job).toMatchObject({ id: created.jobId, tenantId: created.tenant.id, kind: JobKind.PROVISION, status: JobStatus.RUNNING, currentStep: 'SELECT_CLUSTER' });
    expect(job.tenant).toMatchObject({ id: created.tenant.id, slug: created.tenant.slug });
    expect(job.desired.generation).toBe(1);

    const row = await jobRow(db(), created.jobId);
    expect(row).toMatchObject({ status: JobStatus.RUNNING, leaseOwner: 'worker-a', currentStep: 'SELECT_CLUSTER' });
    expect(row.startedAt).not.toBeNull();
    // The lease runs LEASE_MS from the claim, on the database clock.
    expect(row.leaseUntil!.getTime()).toBeGreaterThanOrEqual(before.getTime() + LEASE_MS - 1000);
    expect(row.leaseUntil!.getTime()).toBeLessThanOrEqual(after.getTime() + LEASE_MS);

    // Every step of the tier's plan is there; the control-plane steps are done, the first async step runs.
    const steps = await stepRows(db(), created.jobId);
    expect([...steps.keys()]).toEqual(planFor(created.tenant.tier).steps.map((s) => s.name));
    for (const done of ['VALIDATE_REQUEST', 'CHECK_CLOUD_AVAILABILITY', 'CREATE_CONTROL_PLANE_RECORDS']) {
      expect(steps.get(done)).toMatchObject({ status: 'COMPLETED' });
    }
    expect(steps.get('SELECT_CLUSTER')).toMatchObject({ status: 'RUNNING', attempts: 1 });
    expect(steps.get('CREATE_NAMESPACE')).toMatchObject({ status: 'PENDING', attempts: 0 });

    const history = await historyOf(db(), created.tenant.id, created.jobId);
    expect(history.map((h) => h.trigger)).toEqual(['stage.completed', 'stage.completed', 'job.started', 'stage.entered', 'step.started']);
    expect(history.at(-1)).toMatchObject({ step: 'SELECT_CLUSTER', actor: 'worker-a', toState: 'ALLOCATING_SHARED_CLUSTER' });
    expect(history.find((h) => h.trigger === 'job.started')).toMatchObject({ fromState: 'CREATING_TENANT_RECORD', toState: 'ALLOCATING_SHARED_CLUSTER' });
    expect((await infrastructureRow(db(), created.tenant.id)).status).toBe('PLANNING');

    // What the worker gets is what the claim committed: the stage it entered, the step it started.
    expect(job.currentState).toBe('ALLOCATING_SHARED_CLUSTER');
    expect(job.steps.get('SELECT_CLUSTER')).toMatchObject({ status: 'RUNNING', attempts: 1 });
    expect(job.steps.get('VALIDATE_REQUEST')).toMatchObject({ status: 'COMPLETED', startedAt: created.tenant.createdAt });
  });

  it("carries who provisioned the tenant's infrastructure, the same for every later job of it", async () => {
    const created = await activeTenant(db());
    await requestUpdate(db(), { tenantId: created.tenant.id, configuration: { storageGb: 300 }, actor: 'api-key:someone-else', maxRetries: 3, trigger: 'test' });
    const update = await claim(db(), 'worker-a');
    expect(update).toMatchObject({ kind: JobKind.UPDATE, initiatedBy: 'api-key:someone-else', provisionedBy: 'test' });
  });

  it("names the provisioner by the email of its key's user where the key has one", async () => {
    const created = await newTenant(db());
    const key = await db().selectFrom('apiKeys').select('id').where('tenantId', '=', created.tenant.id).executeTakeFirstOrThrow();
    await db().updateTable('tenantProvisioningJobs').set({ initiatedBy: `api-key:${key.id}` }).where('id', '=', created.jobId).execute();
    expect((await claim(db(), 'worker-a')).provisionedBy).toBe(created.tenant.adminEmail);
  });

  it('finds nothing when no job is due: finished jobs are never claimed', async () => {
    await activeTenant(db());
    await failedTenant(db());
    expect(await claimJob(db(), 'worker-a', LEASE_MS)).toBeUndefined();
  });

  it('takes due jobs oldest first', async () => {
    const tenants = [await newTenant(db()), await newTenant(db()), await newTenant(db())];
    const claimed = [await claim(db(), 'w1'), await claim(db(), 'w2'), await claim(db(), 'w3')];
    expect(claimed.map((j) => j.id)).toEqual(tenants.map((t) => t.jobId));
  });

  it('never gives the same job to two concurrent claimers (FOR UPDATE SKIP LOCKED)', async () => {
    const tenants = await Promise.all(Array.from({ length: 8 }, () => newTenant(db())));
    const owners = Array.from({ length: 16 }, (_, i) => `worker-${i}`);
    const results = await Promise.all(owners.map((owner) => claimJob(db(), owner, LEASE_MS).then((job) => ({ owner, job }))));

    const claimed = results.filter((r) => r.job !== undefined);
    const ids = claimed.map((r) => r.job!.id);
    // Every job claimed once, no job twice, and no claimer left waiting on another's lock.
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(tenants.map((t) => t.jobId).sort());
    for (const { owner, job } of claimed) {
      expect((await jobRow(db(), job!.id)).leaseOwner).toBe(owner);
      expect((await stepRows(db(), job!.id)).get('SELECT_CLUSTER')?.attempts).toBe(1);
      const started = (await historyOf(db(), job!.tenantId, job!.id)).filter((h) => h.trigger === 'job.started');
      expect(started).toHaveLength(1);
    }
  });

  it('leaves a leased job alone until its lease runs out, then hands it to another worker at the same step', async () => {
    const created = await newTenant(db());
    const first = await claim(db(), 'worker-a', 1_000);
    expect(await claimJob(db(), 'worker-b', LEASE_MS)).toBeUndefined();

    await sleep(1_200);
    const second = await claim(db(), 'worker-b');
    expect(second).toMatchObject({ id: created.jobId, status: JobStatus.RUNNING, currentStep: first.currentStep });
    expect(await jobRow(db(), created.jobId)).toMatchObject({ leaseOwner: 'worker-b' });
    // The step runs again (steps are idempotent): a second attempt, the plan not laid out twice.
    expect((await stepRows(db(), created.jobId)).get('SELECT_CLUSTER')).toMatchObject({ status: 'RUNNING', attempts: 2 });
    const triggers = (await historyOf(db(), created.tenant.id, created.jobId)).map((h) => `${h.trigger}/${h.actor}`);
    expect(triggers.filter((t) => t.startsWith('job.started'))).toEqual(['job.started/worker-a']);
    expect(triggers).toContain('job.resumed/worker-b');
  });

  it('respects a job\'s due time: a job waiting for a retry is claimed only once nextRetryAt has passed on the database clock', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a');
    const due = await scheduleRetry(db(), { jobId: job.id, tenantId: job.tenantId, owner: 'worker-a', leaseMs: LEASE_MS, step: 'SELECT_CLUSTER', error: 'SELECT_CLUSTER: flaky', backoffSeconds: 0.6 });

    expect(await claimJob(db(), 'worker-b', LEASE_MS)).toBeUndefined();
    while ((await databaseNow(db())).getTime() <= due.getTime()) await sleep(50);
    const again = await claim(db(), 'worker-b');
    expect(again.id).toBe(created.jobId);
    expect(again.retryCount).toBe(1);
    expect((await jobRow(db(), created.jobId)).nextRetryAt).toBeNull();
  });

  it('takes RECONCILE jobs only after every other due job, even older ones', async () => {
    const live = await activeTenant(db());
    const queued = await queueReconcile(db(), {
      tenantId: live.tenant.id,
      observedUnderJobId: live.jobId,
      maxOpen: 5,
      maxRetries: 3,
      actor: 'reconciler',
      drift: [{ step: 'CONFIGURE_NETWORKING', message: 'NetworkPolicy/allow-dns missing' }],
      reasons: ['drift'],
    });
    if (!queued.queued) throw new Error(`reconcile not queued: ${queued.why}`);
    const fresh = await newTenant(db());

    const first = await claim(db(), 'worker-a');
    const second = await claim(db(), 'worker-b');
    expect(first).toMatchObject({ id: fresh.jobId, kind: JobKind.PROVISION });
    expect(second).toMatchObject({ id: queued.jobId, kind: JobKind.RECONCILE });
  });

  it('picks a rolling-back job whose worker died back up in ROLLING_BACK, without starting a step', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a');
    await beginRollback(db(), { jobId: job.id, tenantId: job.tenantId, owner: 'worker-a', leaseMs: 1_000, step: 'SELECT_CLUSTER', reason: 'SELECT_CLUSTER: no cluster', trigger: 'step.failed_permanently' });
    expect(await claimJob(db(), 'worker-b', LEASE_MS)).toBeUndefined();

    await sleep(1_200);
    const resumed = await claim(db(), 'worker-b');
    expect(resumed).toMatchObject({ id: created.jobId, status: JobStatus.ROLLING_BACK, errorMessage: 'SELECT_CLUSTER: no cluster', failedStep: 'SELECT_CLUSTER' });
    expect((await stepRows(db(), created.jobId)).get('SELECT_CLUSTER')).toMatchObject({ status: 'FAILED', attempts: 1 });
  });

  it('hands over a job whose cancel was asked before it started without starting its first step', async () => {
    const created = await newTenant(db());
    await requestCancel(db(), created.tenant.id, 'admin');
    const job = await claim(db(), 'worker-a');
    expect(job).toMatchObject({ id: created.jobId, cancelRequestedBy: 'admin', currentStep: 'SELECT_CLUSTER' });
    expect((await stepRows(db(), created.jobId)).get('SELECT_CLUSTER')).toMatchObject({ status: 'PENDING', attempts: 0 });
  });
});
