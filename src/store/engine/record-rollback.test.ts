import { failureOf } from '../../domain/job-outcomes.js';
import { describe, expect, it } from 'vitest';
import { JobKind, JobStatus } from '../../domain/provisioning.js';
import {
  LEASE_MS,
  advance,
  claim,
  databasePerTest,
  historyOf,
  newTenant,
  sleep,
  stepRows,
  tenantSnapshot,
} from '../../../test/support/store-operations.js';
import { beginRollback } from './begin-rollback.js';
import { failJob } from './fail-job.js';
import { LeaseLostError } from './lease-lost.js';
import { recordRollback } from './record-rollback.js';

describe('recordRollback', () => {
  const db = databasePerTest();

  it('marks each undone step ROLLED_BACK, or ROLLBACK_FAILED with the error, and says so in the history', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a');
    await advance(db(), job, 'worker-a');
    const base = { jobId: job.id, tenantId: job.tenantId, owner: 'worker-a', leaseMs: LEASE_MS };
    await beginRollback(db(), { ...base, step: 'CREATE_NAMESPACE', reason: 'CREATE_NAMESPACE: forbidden', trigger: 'step.failed_permanently' });

    await recordRollback(db(), { ...base, step: 'CREATE_NAMESPACE' });
    await recordRollback(db(), { ...base, step: 'SELECT_CLUSTER', error: 'cluster API unreachable' });

    const steps = await stepRows(db(), job.id);
    expect(steps.get('CREATE_NAMESPACE')?.status).toBe('ROLLED_BACK');
    expect(steps.get('SELECT_CLUSTER')).toMatchObject({ status: 'ROLLBACK_FAILED', lastError: 'cluster API unreachable' });
    expect((await historyOf(db(), created.tenant.id, job.id)).slice(-2).map((h) => [h.kind, h.trigger, h.step, h.details])).toEqual([
      ['ROLLBACK', 'rollback.step_completed', 'CREATE_NAMESPACE', {}],
      ['ROLLBACK', 'rollback.step_failed', 'SELECT_CLUSTER', { error: 'cluster API unreachable' }],
    ]);

    // The job ends FAILED with the undo's outcome kept on its steps.
    await failJob(db(), { ...base, fromStatus: JobStatus.ROLLING_BACK, cancelled: false, kind: JobKind.PROVISION, failure: failureOf(JobKind.PROVISION) });
    expect((await stepRows(db(), job.id)).get('SELECT_CLUSTER')?.status).toBe('ROLLBACK_FAILED');
  });

  it('refuses to record an undo on a job that is not rolling back', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a');
    const before = await tenantSnapshot(db(), created.tenant.id);
    await expect(recordRollback(db(), { jobId: job.id, tenantId: job.tenantId, owner: 'worker-a', leaseMs: LEASE_MS, step: 'SELECT_CLUSTER' })).rejects.toBeInstanceOf(LeaseLostError);
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });

  it('changes nothing for a worker whose rollback another worker took over', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a', 200);
    await beginRollback(db(), { jobId: job.id, tenantId: job.tenantId, owner: 'worker-a', leaseMs: 200, step: 'SELECT_CLUSTER', reason: 'no', trigger: 'step.failed_permanently' });
    await sleep(350);
    expect((await claim(db(), 'worker-b')).status).toBe(JobStatus.ROLLING_BACK);

    const before = await tenantSnapshot(db(), created.tenant.id);
    await expect(recordRollback(db(), { jobId: job.id, tenantId: job.tenantId, owner: 'worker-a', leaseMs: LEASE_MS, step: 'SELECT_CLUSTER' })).rejects.toBeInstanceOf(LeaseLostError);
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
    await recordRollback(db(), { jobId: job.id, tenantId: job.tenantId, owner: 'worker-b', leaseMs: LEASE_MS, step: 'SELECT_CLUSTER' });
    expect((await stepRows(db(), job.id)).get('SELECT_CLUSTER')?.status).toBe('ROLLED_BACK');
  });
});
