import { failureOf } from '../../domain/job-outcomes.js';
import { describe, expect, it } from 'vitest';
import { EventType } from '../../domain/events.js';
import { JobKind, JobStatus } from '../../domain/provisioning.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import { suspendTenant } from '../lifecycle/suspend-tenant.js';
import * as fixtures from '../../../test/support/store-operations.js';
import { beginRollback } from './begin-rollback.js';
import { requestCancel } from './cancel-job.js';
import { failJob } from './fail-job.js';
import { recordRollback } from './record-rollback.js';
import { retryJob } from './retry-job.js';
import { scheduleRetry } from './schedule-retry.js';

describe('retryJob', () => {
  const db = fixtures.databasePerTest();

  it('resumes a failed provisioning at the failed step when nothing was rolled back, with a fresh retry budget', async () => {
    const created = await fixtures.newTenant(db());
    const tenantId = created.tenant.id;
    const job = await fixtures.claim(db(), 'worker-a');
    await fixtures.advanceTo(db(), job, 'worker-a', 'APPLY_QUOTAS');
    await scheduleRetry(db(), { jobId: job.id, tenantId, owner: 'worker-a', leaseMs: fixtures.LEASE_MS, step: 'APPLY_QUOTAS', error: 'APPLY_QUOTAS: timeout', backoffSeconds: 0 });
    await fixtures.sleep(20);
    const again = await fixtures.claim(db(), 'worker-a');
    await fixtures.failClaimed(db(), again, 'worker-a', 'APPLY_QUOTAS: quota rejected');
    expect((await fixtures.tenantRow(db(), tenantId)).status).toBe(TenantStatus.FAILED);
    const outputsBefore = (await fixtures.stepRows(db(), job.id)).get('SELECT_CLUSTER')?.outputs;

    expect(await retryJob(db(), tenantId, 'admin')).toEqual({ jobId: job.id, step: 'APPLY_QUOTAS' });

    expect(await fixtures.jobRow(db(), job.id)).toMatchObject({
      status: JobStatus.PENDING, currentStep: 'APPLY_QUOTAS', currentState: 'CONFIGURING_QUOTAS', retryCount: 0, errorMessage: null, failedStep: null, nextRetryAt: null, leaseOwner: null, completedAt: null,
    });
    expect(await fixtures.tenantRow(db(), tenantId)).toMatchObject({ status: TenantStatus.PROVISIONING, provisioningError: null });
    expect(await fixtures.provisioningState(db(), tenantId)).toMatchObject({ status: 'IN_PROGRESS', failureReason: null, currentPhase: 'CONFIGURING_QUOTAS', retryCount: 0 });
    expect((await fixtures.historyOf(db(), tenantId, job.id)).at(-1)).toMatchObject({ kind: 'OPERATION', trigger: 'job.retried', step: 'APPLY_QUOTAS', actor: 'admin' });
    expect((await fixtures.eventsOf(db(), tenantId)).at(-1)).toMatchObject({ type: EventType.PROVISIONING_RETRIED, payload: { jobId: job.id, fromStep: 'APPLY_QUOTAS', retriedBy: 'admin' } });

    // A worker takes it up at that step; what was completed stays completed.
    const resumed = await fixtures.claim(db(), 'worker-b');
    expect(resumed).toMatchObject({ id: job.id, status: JobStatus.RUNNING, currentStep: 'APPLY_QUOTAS', retryCount: 0 });
    const steps = await fixtures.stepRows(db(), job.id);
    expect(steps.get('SELECT_CLUSTER')).toMatchObject({ status: 'COMPLETED', outputs: outputsBefore });
    expect(steps.get('CREATE_NAMESPACE')?.status).toBe('COMPLETED');
    expect(steps.get('APPLY_QUOTAS')?.status).toBe('RUNNING');
  });

  it('resumes at the first rolled-back step when the rollback undid completed steps', async () => {
    const created = await fixtures.newTenant(db());
    const tenantId = created.tenant.id;
    const job = await fixtures.claim(db(), 'worker-a');
    await fixtures.advanceTo(db(), job, 'worker-a', 'APPLY_QUOTAS');
    const base = { jobId: job.id, tenantId, owner: 'worker-a', leaseMs: fixtures.LEASE_MS };
    await beginRollback(db(), { ...base, step: 'APPLY_QUOTAS', reason: 'APPLY_QUOTAS: denied', trigger: 'step.failed_permanently' });
    for (const step of ['APPLY_QUOTAS', 'CREATE_NAMESPACE', 'SELECT_CLUSTER']) await recordRollback(db(), { ...base, step });
    await failJob(db(), { ...base, fromStatus: JobStatus.ROLLING_BACK, cancelled: false, kind: JobKind.PROVISION, failure: failureOf(JobKind.PROVISION) });

    expect(await retryJob(db(), tenantId, 'admin')).toEqual({ jobId: job.id, step: 'SELECT_CLUSTER' });
    const steps = await fixtures.stepRows(db(), job.id);
    for (const step of ['SELECT_CLUSTER', 'CREATE_NAMESPACE', 'APPLY_QUOTAS']) expect(steps.get(step)?.status, step).toBe('PENDING');
    expect(steps.get('CREATE_CONTROL_PLANE_RECORDS')?.status).toBe('COMPLETED');
    expect((await fixtures.claim(db(), 'worker-b')).currentStep).toBe('SELECT_CLUSTER');
  });

  it('retries a cancelled job too', async () => {
    const created = await fixtures.newTenant(db());
    const job = await fixtures.claim(db(), 'worker-a');
    await requestCancel(db(), created.tenant.id, 'admin');
    const base = { jobId: job.id, tenantId: job.tenantId, owner: 'worker-a', leaseMs: fixtures.LEASE_MS };
    await beginRollback(db(), { ...base, step: 'SELECT_CLUSTER', reason: 'cancelled during SELECT_CLUSTER', trigger: 'job.cancelled' });
    await failJob(db(), { ...base, fromStatus: JobStatus.ROLLING_BACK, cancelled: true, kind: JobKind.PROVISION, failure: failureOf(JobKind.PROVISION) });

    await retryJob(db(), created.tenant.id, 'admin');
    const row = await fixtures.jobRow(db(), job.id);
    expect(row).toMatchObject({ status: JobStatus.PENDING, cancelRequestedBy: null });
    // The cancel is forgotten: the next fixtures.claim starts the step.
    const resumed = await fixtures.claim(db(), 'worker-b');
    expect(resumed.cancelRequestedBy).toBeNull();
    expect((await fixtures.stepRows(db(), job.id)).get('SELECT_CLUSTER')?.status).toBe('RUNNING');
  });

  it('leaves the tenant\'s status alone when the failed job was not a provisioning', async () => {
    const created = await fixtures.activeTenant(db());
    const { jobId } = await suspendTenant(db(), { tenantId: created.tenant.id, actor: 'test', maxRetries: 3 });
    const job = await fixtures.claim(db(), 'worker-a');
    await fixtures.advanceTo(db(), job, 'worker-a', 'DEPLOY_DATA_SERVICES');
    await fixtures.failClaimed(db(), job, 'worker-a');

    expect(await retryJob(db(), created.tenant.id, 'admin')).toEqual({ jobId, step: 'DEPLOY_DATA_SERVICES' });
    expect((await fixtures.tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.SUSPENDED);
  });

  it('refuses a job that has not failed (409 job_not_failed) and changes nothing', async () => {
    const pending = await fixtures.newTenant(db());
    await expect(retryJob(db(), pending.tenant.id, 'admin')).rejects.toMatchObject({ kind: 'CONFLICT', code: 'job_not_failed' });
    expect((await fixtures.jobRow(db(), pending.jobId)).status).toBe(JobStatus.PENDING);

    const running = await fixtures.claim(db(), 'worker-a');
    await expect(retryJob(db(), pending.tenant.id, 'admin')).rejects.toMatchObject({ kind: 'CONFLICT', code: 'job_not_failed' });
    expect(await fixtures.jobRow(db(), running.id)).toMatchObject({ status: JobStatus.RUNNING, leaseOwner: 'worker-a' });

    const active = await fixtures.activeTenant(db());
    await expect(retryJob(db(), active.tenant.id, 'admin')).rejects.toMatchObject({ kind: 'CONFLICT', code: 'job_not_failed' });
    expect((await fixtures.jobRow(db(), active.jobId)).status).toBe(JobStatus.SUCCEEDED);
  });

  it('answers not_found for a tenant that does not exist', async () => {
    await expect(retryJob(db(), '00000000-0000-7000-8000-000000000000', 'admin')).rejects.toMatchObject({ kind: 'NOT_FOUND' });
  });

  it('lets exactly one of two concurrent retries through', async () => {
    const created = await fixtures.newTenant(db());
    const job = await fixtures.claim(db(), 'worker-a');
    await fixtures.failClaimed(db(), job, 'worker-a');

    const results = await Promise.allSettled([retryJob(db(), created.tenant.id, 'a'), retryJob(db(), created.tenant.id, 'b')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toMatchObject({ code: 'job_not_failed' });
    expect((await fixtures.historyOf(db(), created.tenant.id, job.id)).filter((h) => h.trigger === 'job.retried')).toHaveLength(1);
  });
});
