import { describe, expect, it } from 'vitest';
import { JobStatus } from '../../domain/provisioning.js';
import {
  LEASE_MS,
  advance,
  claim,
  databasePerTest,
  historyOf,
  jobRow,
  newTenant,
  sleep,
  stepRows,
  tenantRow,
  tenantSnapshot,
} from '../../../test/support/store-operations.js';
import { beginRollback } from './begin-rollback.js';
import { claimJob } from './claim-job.js';
import { LeaseLostError } from './lease-lost.js';

describe('beginRollback', () => {
  const db = databasePerTest();

  it('stops the job going forward: ROLLING_BACK with the reason and the failed step, the history says why', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a');
    await advance(db(), job, 'worker-a', { cluster: 'c1' });
    await beginRollback(db(), { jobId: job.id, tenantId: job.tenantId, owner: 'worker-a', leaseMs: LEASE_MS, step: 'CREATE_NAMESPACE', reason: 'CREATE_NAMESPACE: forbidden', trigger: 'step.failed_permanently' });

    // The worker keeps the job to undo what was done.
    expect(await jobRow(db(), job.id)).toMatchObject({ status: JobStatus.ROLLING_BACK, errorMessage: 'CREATE_NAMESPACE: forbidden', failedStep: 'CREATE_NAMESPACE', leaseOwner: 'worker-a' });
    expect(await claimJob(db(), 'worker-b', LEASE_MS)).toBeUndefined();
    const steps = await stepRows(db(), job.id);
    expect(steps.get('CREATE_NAMESPACE')).toMatchObject({ status: 'FAILED', lastError: 'CREATE_NAMESPACE: forbidden' });
    expect(steps.get('SELECT_CLUSTER')).toMatchObject({ status: 'COMPLETED', outputs: { cluster: 'c1' } });
    expect((await historyOf(db(), created.tenant.id, job.id)).slice(-2).map((h) => [h.kind, h.trigger, h.step])).toEqual([
      ['STEP', 'step.failed_permanently', 'CREATE_NAMESPACE'],
      ['ROLLBACK', 'rollback.started', 'CREATE_NAMESPACE'],
    ]);
    // The tenant learns of it only when the job ends (failJob).
    expect((await tenantRow(db(), created.tenant.id)).status).toBe('PROVISIONING');
  });

  it('records no rollback when nothing will be undone, and no failed step for a cancel between steps', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a');
    await beginRollback(db(), { jobId: job.id, tenantId: job.tenantId, owner: 'worker-a', leaseMs: LEASE_MS, step: null, reason: 'cancelled', trigger: 'job.cancelled', undo: false });

    expect(await jobRow(db(), job.id)).toMatchObject({ status: JobStatus.ROLLING_BACK, failedStep: null, errorMessage: 'cancelled' });
    expect((await stepRows(db(), job.id)).get('SELECT_CLUSTER')?.status).toBe('RUNNING');
    const triggers = (await historyOf(db(), created.tenant.id, job.id)).map((h) => h.trigger);
    expect(triggers.at(-1)).toBe('job.cancelled');
    expect(triggers).not.toContain('rollback.started');
  });

  it('changes nothing when the job is already rolling back', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a');
    const input = { jobId: job.id, tenantId: job.tenantId, owner: 'worker-a', leaseMs: LEASE_MS, step: 'SELECT_CLUSTER', reason: 'first', trigger: 'step.failed_permanently' as const };
    await beginRollback(db(), input);

    const before = await tenantSnapshot(db(), created.tenant.id);
    await expect(beginRollback(db(), { ...input, reason: 'second' })).rejects.toBeInstanceOf(LeaseLostError);
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
    expect((await jobRow(db(), job.id)).errorMessage).toBe('first');
  });

  it('changes nothing for a worker that does not hold the job', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a', 200);
    await sleep(350);
    expect((await claim(db(), 'worker-b')).id).toBe(job.id);

    const before = await tenantSnapshot(db(), created.tenant.id);
    await expect(
      beginRollback(db(), { jobId: job.id, tenantId: job.tenantId, owner: 'worker-a', leaseMs: LEASE_MS, step: 'SELECT_CLUSTER', reason: 'stale', trigger: 'step.failed_permanently' }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
    expect((await jobRow(db(), job.id)).status).toBe(JobStatus.RUNNING);
  });
});
