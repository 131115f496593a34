import { failureOf } from '../../domain/job-outcomes.js';
import { describe, expect, it } from 'vitest';
import { EventType } from '../../domain/events.js';
import { JobKind, JobStatus } from '../../domain/provisioning.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import { suspendTenant } from '../lifecycle/suspend-tenant.js';
import { queueReconcile } from '../reconcile/queue-reconcile.js';
import {
  LEASE_MS,
  activeTenant,
  advance,
  claim,
  databasePerTest,
  eventsOf,
  failClaimed,
  historyOf,
  infrastructureRow,
  jobRow,
  newTenant,
  provisioningState,
  sleep,
  startTenantDeletion,
  tenantRow,
  tenantSnapshot,
} from '../../../test/support/store-operations.js';
import { beginRollback } from './begin-rollback.js';
import { requestCancel } from './cancel-job.js';
import { failJob } from './fail-job.js';
import { LeaseLostError } from './lease-lost.js';
import { recordRollback } from './record-rollback.js';

describe('failJob', () => {
  const db = databasePerTest();

  it('a provisioning that failed for good: job FAILED, tenant FAILED with the reason, infrastructure FAILED, provisioning.failed for the admin', async () => {
    const created = await newTenant(db());
    const tenantId = created.tenant.id;
    const job = await claim(db(), 'worker-a');
    await advance(db(), job, 'worker-a');
    const reason = 'CREATE_NAMESPACE: forbidden';
    await beginRollback(db(), { jobId: job.id, tenantId, owner: 'worker-a', leaseMs: LEASE_MS, step: 'CREATE_NAMESPACE', reason, trigger: 'step.failed_permanently' });
    for (const step of ['CREATE_NAMESPACE', 'SELECT_CLUSTER']) await recordRollback(db(), { jobId: job.id, tenantId, owner: 'worker-a', leaseMs: LEASE_MS, step });

    await failJob(db(), { jobId: job.id, tenantId, owner: 'worker-a', leaseMs: LEASE_MS, fromStatus: JobStatus.ROLLING_BACK, cancelled: false, kind: JobKind.PROVISION, failure: failureOf(JobKind.PROVISION) });

    const row = await jobRow(db(), job.id);
    expect(row).toMatchObject({ status: JobStatus.FAILED, currentState: 'FAILED', leaseOwner: null, leaseUntil: null, errorMessage: reason, failedStep: 'CREATE_NAMESPACE' });
    expect(row.completedAt).not.toBeNull();
    expect(await tenantRow(db(), tenantId)).toMatchObject({ status: TenantStatus.FAILED, provisioningError: reason });
    expect(await provisioningState(db(), tenantId)).toMatchObject({ status: 'FAILED', failureReason: reason });
    expect((await infrastructureRow(db(), tenantId)).status).toBe('FAILED');
    expect((await historyOf(db(), tenantId, job.id)).at(-1)).toMatchObject({ kind: 'JOB', trigger: 'job.failed', step: 'CREATE_NAMESPACE', details: { reason } });
    expect((await eventsOf(db(), tenantId)).at(-1)).toMatchObject({
      type: EventType.PROVISIONING_FAILED,
      payload: { jobId: job.id, reason, failedStep: 'CREATE_NAMESPACE', adminEmail: created.tenant.adminEmail, slug: created.tenant.slug },
    });
    // Nothing is left for a worker to claim.
    expect(await db().selectFrom('tenantProvisioningJobs').select('id').where('status', 'in', ['PENDING', 'RUNNING', 'ROLLING_BACK']).execute()).toEqual([]);
  });

  it('a cancelled provisioning: job CANCELLED, provisioning.cancelled', async () => {
    const created = await newTenant(db());
    const tenantId = created.tenant.id;
    const job = await claim(db(), 'worker-a');
    await requestCancel(db(), tenantId, 'admin@platform');
    await beginRollback(db(), { jobId: job.id, tenantId, owner: 'worker-a', leaseMs: LEASE_MS, step: 'SELECT_CLUSTER', reason: 'cancelled during SELECT_CLUSTER', trigger: 'job.cancelled' });
    await failJob(db(), { jobId: job.id, tenantId, owner: 'worker-a', leaseMs: LEASE_MS, fromStatus: JobStatus.ROLLING_BACK, cancelled: true, kind: JobKind.PROVISION, failure: failureOf(JobKind.PROVISION) });

    expect((await jobRow(db(), job.id)).status).toBe(JobStatus.CANCELLED);
    expect((await tenantRow(db(), tenantId)).status).toBe(TenantStatus.FAILED);
    expect((await historyOf(db(), tenantId, job.id)).at(-1)?.trigger).toBe('job.cancelled');
    const events = (await eventsOf(db(), tenantId)).map((e) => e.type);
    expect(events.at(-1)).toBe(EventType.PROVISIONING_CANCELLED);
    expect(events).not.toContain(EventType.PROVISIONING_FAILED);
  });

  it('a lifecycle operation that failed leaves the tenant as it was and says so in tenant.operation.failed', async () => {
    const created = await activeTenant(db());
    const tenantId = created.tenant.id;
    const { jobId } = await suspendTenant(db(), { tenantId, actor: 'test', maxRetries: 3 });
    const job = await claim(db(), 'worker-a');
    await failClaimed(db(), job, 'worker-a', 'DEPLOY_CORE_SERVICES: quota exceeded');

    expect((await jobRow(db(), jobId!)).status).toBe(JobStatus.FAILED);
    expect(await tenantRow(db(), tenantId)).toMatchObject({ status: TenantStatus.SUSPENDED, provisioningError: null });
    expect((await eventsOf(db(), tenantId)).at(-1)).toMatchObject({
      type: EventType.OPERATION_FAILED,
      payload: { jobId, kind: JobKind.SUSPEND, reason: 'DEPLOY_CORE_SERVICES: quota exceeded', cancelled: false },
    });
  });

  it('a failed deletion leaves the tenant DELETING, to be resumed', async () => {
    const created = await activeTenant(db());
    await startTenantDeletion(db(), created.tenant.id);
    const job = await claim(db(), 'worker-a');
    await failClaimed(db(), job, 'worker-a');
    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.DELETING);
    expect((await eventsOf(db(), created.tenant.id)).at(-1)?.type).toBe(EventType.OPERATION_FAILED);
  });

  it('a failed reconcile says reconcile.failed', async () => {
    const created = await activeTenant(db());
    const queued = await queueReconcile(db(), { tenantId: created.tenant.id, observedUnderJobId: created.jobId, maxOpen: 5, maxRetries: 3, actor: 'reconciler', drift: [], reasons: ['sweep'] });
    expect(queued.queued).toBe(true);
    const job = await claim(db(), 'worker-a');
    await failClaimed(db(), job, 'worker-a');
    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.ACTIVE);
    expect((await eventsOf(db(), created.tenant.id)).at(-1)).toMatchObject({ type: EventType.RECONCILE_FAILED, payload: { kind: JobKind.RECONCILE } });
  });

  it('changes nothing for a worker that lost the job, or that believes it is in another status', async () => {
    const created = await newTenant(db());
    const tenantId = created.tenant.id;
    const job = await claim(db(), 'worker-a', 200);
    await beginRollback(db(), { jobId: job.id, tenantId, owner: 'worker-a', leaseMs: 200, step: 'SELECT_CLUSTER', reason: 'no', trigger: 'step.failed_permanently' });

    // Wrong status: the job is ROLLING_BACK, not RUNNING.
    let before = await tenantSnapshot(db(), tenantId);
    await expect(failJob(db(), { jobId: job.id, tenantId, owner: 'worker-a', leaseMs: LEASE_MS, fromStatus: JobStatus.RUNNING, cancelled: false, kind: JobKind.PROVISION, failure: failureOf(JobKind.PROVISION) })).rejects.toBeInstanceOf(LeaseLostError);
    expect(await tenantSnapshot(db(), tenantId)).toEqual(before);

    // Lost: another worker picked the rolling-back job up after worker-a's lease ran out.
    await sleep(350);
    expect((await claim(db(), 'worker-b')).id).toBe(job.id);
    before = await tenantSnapshot(db(), tenantId);
    await expect(failJob(db(), { jobId: job.id, tenantId, owner: 'worker-a', leaseMs: LEASE_MS, fromStatus: JobStatus.ROLLING_BACK, cancelled: false, kind: JobKind.PROVISION, failure: failureOf(JobKind.PROVISION) })).rejects.toBeInstanceOf(LeaseLostError);
    expect(await tenantSnapshot(db(), tenantId)).toEqual(before);
    expect((await tenantRow(db(), tenantId)).status).toBe(TenantStatus.PROVISIONING);
  });
});
