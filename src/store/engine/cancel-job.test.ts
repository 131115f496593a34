import { describe, expect, it } from 'vitest';
import { JobKind, JobStatus } from '../../domain/provisioning.js';
import { suspendTenant } from '../lifecycle/suspend-tenant.js';
import {
  LEASE_MS,
  activeTenant,
  claim,
  databasePerTest,
  failedTenant,
  historyOf,
  jobRow,
  newTenant,
  tenantSnapshot,
} from '../../../test/support/store-operations.js';
import { beginRollback } from './begin-rollback.js';
import { requestCancel } from './cancel-job.js';
import { claimJob } from './claim-job.js';
import { renewLease } from './renew-lease.js';
import { scheduleRetry } from './schedule-retry.js';

describe('requestCancel', () => {
  const db = databasePerTest();

  it('marks a pending job for cancellation, once: asking again answers the same job and records nothing more', async () => {
    const created = await newTenant(db());
    expect(await requestCancel(db(), created.tenant.id, 'alice')).toEqual({ jobId: created.jobId });
    expect(await requestCancel(db(), created.tenant.id, 'bob')).toEqual({ jobId: created.jobId });

    expect((await jobRow(db(), created.jobId)).cancelRequestedBy).toBe('alice');
    const asked = (await historyOf(db(), created.tenant.id, created.jobId)).filter((h) => h.trigger === 'job.cancel_requested');
    expect(asked.map((h) => h.actor)).toEqual(['alice']);
  });

  it('reaches the worker running the job through its heartbeat', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a');
    expect(await renewLease(db(), job.id, 'worker-a', LEASE_MS)).toEqual({ held: true, cancelRequested: false });
    await requestCancel(db(), created.tenant.id, 'alice');
    expect(await renewLease(db(), job.id, 'worker-a', LEASE_MS)).toEqual({ held: true, cancelRequested: true });
  });

  it('makes a job waiting for its retry due at once, so a worker picks it up to roll it back', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a');
    await scheduleRetry(db(), { jobId: job.id, tenantId: job.tenantId, owner: 'worker-a', leaseMs: LEASE_MS, step: 'SELECT_CLUSTER', error: 'flaky', backoffSeconds: 3600 });
    expect(await claimJob(db(), 'worker-b', LEASE_MS)).toBeUndefined();

    await requestCancel(db(), created.tenant.id, 'alice');
    expect((await jobRow(db(), job.id)).nextRetryAt).toBeNull();
    const picked = await claim(db(), 'worker-b');
    expect(picked).toMatchObject({ id: job.id, cancelRequestedBy: 'alice' });
  });

  it('cancels the tenant\'s newest job, not a finished older one', async () => {
    const created = await activeTenant(db());
    const { jobId } = await suspendTenant(db(), { tenantId: created.tenant.id, actor: 'test', maxRetries: 3 });
    expect(await requestCancel(db(), created.tenant.id, 'alice')).toEqual({ jobId });
    expect((await jobRow(db(), jobId!)).cancelRequestedBy).toBe('alice');
    expect((await jobRow(db(), created.jobId)).cancelRequestedBy).toBeNull();
  });

  it('refuses (409 job_not_running) a job that succeeded, failed or is already rolling back, and changes nothing', async () => {
    const active = await activeTenant(db());
    const failed = await failedTenant(db());
    const rolling = await newTenant(db());
    const job = await claim(db(), 'worker-a');
    expect(job.id).toBe(rolling.jobId);
    await beginRollback(db(), { jobId: job.id, tenantId: job.tenantId, owner: 'worker-a', leaseMs: LEASE_MS, step: 'SELECT_CLUSTER', reason: 'no', trigger: 'step.failed_permanently' });

    for (const tenant of [active, failed, rolling]) {
      const before = await tenantSnapshot(db(), tenant.tenant.id);
      await expect(requestCancel(db(), tenant.tenant.id, 'alice')).rejects.toMatchObject({ kind: 'CONFLICT', code: 'job_not_running' });
      expect(await tenantSnapshot(db(), tenant.tenant.id)).toEqual(before);
    }
    expect((await jobRow(db(), rolling.jobId)).status).toBe(JobStatus.ROLLING_BACK);
  });

  it('answers not_found for a tenant that does not exist', async () => {
    await expect(requestCancel(db(), '00000000-0000-7000-8000-000000000000', 'alice')).rejects.toMatchObject({ kind: 'NOT_FOUND' });
  });

  it('is seen by a worker claiming the job: it is handed over marked for cancellation', async () => {
    const created = await activeTenant(db());
    await suspendTenant(db(), { tenantId: created.tenant.id, actor: 'test', maxRetries: 3 });
    await requestCancel(db(), created.tenant.id, 'alice');
    expect(await claim(db(), 'worker-a')).toMatchObject({ kind: JobKind.SUSPEND, cancelRequestedBy: 'alice' });
  });
});
