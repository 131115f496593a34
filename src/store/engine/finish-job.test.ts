import { describe, expect, it } from 'vitest';
import { EventType } from '../../domain/events.js';
import { JobKind, JobStatus } from '../../domain/provisioning.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import { requestDeprovision } from '../infrastructure/request-deprovision.js';
import { requestUpdate } from '../infrastructure/request-update.js';
import { reactivateTenant, suspendTenant } from '../lifecycle/suspend-tenant.js';
import { queueReconcile } from '../reconcile/queue-reconcile.js';
import {
  activeTenant,
  advanceToTerminal,
  claim,
  databasePerTest,
  desiredState,
  eventsOf,
  finish,
  finishInput,
  historyOf,
  infrastructureRow,
  jobRow,
  jobsOf,
  newTenant,
  provisioningState,
  sleep,
  startTenantDeletion,
  stepRow,
  suspendedTenant,
  tenantRow,
  tenantSnapshot,
  terminalOf,
} from '../../../test/support/store-operations.js';
import type { Db } from '../open-database.js';
import { finishJob } from './finish-job.js';
import { LeaseLostError } from './lease-lost.js';

async function eventTypes(db: Db, tenantId: string): Promise<string[]> {
  return (await eventsOf(db, tenantId)).map((e) => e.type);
}

describe('finishJob', () => {
  const db = databasePerTest();

  it('PROVISION: the job SUCCEEDED, the tenant ACTIVE with its admin, the generation observed, and tenant.provisioned in the outbox', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a');
    await finish(db(), job, 'worker-a');

    expect(await jobRow(db(), job.id)).toMatchObject({ status: JobStatus.SUCCEEDED, currentState: 'COMPLETED', currentStep: null, leaseOwner: null, leaseUntil: null, errorMessage: null });
    expect((await jobRow(db(), job.id)).completedAt).not.toBeNull();
    expect((await stepRow(db(), job.id, 'ACTIVATE')).status).toBe('COMPLETED');

    const tenant = await tenantRow(db(), created.tenant.id);
    expect(tenant).toMatchObject({ status: TenantStatus.ACTIVE, provisioningError: null });
    expect(tenant.provisioningCompletedAt).not.toBeNull();
    const admin = await db().selectFrom('users').select('status').where('id', '=', created.adminUserId).executeTakeFirstOrThrow();
    expect(admin.status).toBe('ACTIVE');

    expect(await provisioningState(db(), created.tenant.id)).toMatchObject({ status: 'COMPLETED', currentPhase: 'COMPLETED', failureReason: null });
    expect((await desiredState(db(), created.tenant.id)).observedGeneration).toBe(1);
    const infrastructure = await infrastructureRow(db(), created.tenant.id);
    expect(infrastructure.status).toBe('ACTIVE');
    expect(infrastructure.configuration).toEqual(job.desired.configuration);

    expect((await historyOf(db(), created.tenant.id, job.id)).at(-1)).toMatchObject({ kind: 'JOB', trigger: 'job.succeeded', toState: 'COMPLETED' });
    const events = await eventsOf(db(), created.tenant.id);
    expect(events.filter((e) => e.type === EventType.TENANT_PROVISIONED)).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({
      type: EventType.TENANT_PROVISIONED,
      deliveredAt: null,
      payload: { jobId: job.id, slug: created.tenant.slug, adminEmail: created.tenant.adminEmail, tenant: { id: created.tenant.id, status: 'ACTIVE' } },
    });
  });

  it('refuses to end a job that is not at its terminal step yet', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a');
    const before = await tenantSnapshot(db(), created.tenant.id);
    await expect(
      finishJob(db(), await finishInput(job, 'worker-a', terminalOf(job))),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });

  it('changes nothing for a worker that lost its lease: the tenant stays PROVISIONING and no event is written', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a', 200);
    const terminal = await advanceToTerminal(db(), job, 'worker-a', 200);
    // worker-a stalls past its lease and another worker takes the job over.
    await sleep(350);
    const other = await claim(db(), 'worker-b');
    expect(other.id).toBe(job.id);

    const before = await tenantSnapshot(db(), created.tenant.id);
    await expect(
      finishJob(db(), await finishInput(job, 'worker-a', terminal)),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.PROVISIONING);
    expect(await eventTypes(db(), created.tenant.id)).not.toContain(EventType.TENANT_PROVISIONED);
  });

  it('DELETE: leaves a tombstone (DELETED, control-plane data gone, history kept), tenant.deleted with the receipt, and the slug free again', async () => {
    const created = await activeTenant(db());
    const tenantId = created.tenant.id;
    const jobId = await startTenantDeletion(db(), tenantId);
    // The events delivered so far; TENANT_DELETED, written by the commit below, will not be.
    await db().updateTable('outbox').set({ deliveredAt: new Date() }).where('aggregateId', '=', tenantId).execute();
    const job = await claim(db(), 'worker-a');
    expect(job).toMatchObject({ id: jobId, kind: JobKind.DELETE });
    await finish(db(), job, 'worker-a', { DELETE_NAMESPACE: { removed: ['Namespace/matih-x'] } });

    const tenant = await tenantRow(db(), tenantId);
    expect(tenant.status).toBe(TenantStatus.DELETED);
    expect(tenant.deletedAt).not.toBeNull();
    // No personal data in the tombstone, nor in the events already delivered.
    expect(tenant).toMatchObject({ name: `Deleted tenant ${tenantId}`, slug: `deleted-${tenantId}`, adminEmail: `deleted-${tenantId}@tombstone.invalid`, kubernetesNamespace: null });
    const delivered = (await eventsOf(db(), tenantId)).slice(0, -1);
    expect(delivered.map((e) => e.type)).toContain(EventType.TENANT_CREATED);
    expect(JSON.stringify(delivered)).not.toContain(created.tenant.adminEmail);
    expect(JSON.stringify(delivered)).not.toContain(created.tenant.name);
    for (const table of ['users', 'roles', 'apiKeys', 'tenantSettings', 'billingSubscriptions', 'tenantDeletionRequests'] as const) {
      const rows = await db().selectFrom(table).select('tenantId').where('tenantId', '=', tenantId).execute();
      expect(rows, table).toHaveLength(0);
    }
    // What stays: both jobs, the history with the receipt, the infrastructure record (DEPROVISIONED).
    expect((await jobsOf(db(), tenantId)).map((j) => j.status)).toEqual([JobStatus.SUCCEEDED, JobStatus.SUCCEEDED]);
    const succeeded = (await historyOf(db(), tenantId, jobId)).at(-1);
    expect(succeeded).toMatchObject({ trigger: 'job.succeeded', details: { receipt: { removed: { DELETE_NAMESPACE: { removed: ['Namespace/matih-x'] } }, recordDeleted: true } } });
    expect((await infrastructureRow(db(), tenantId)).status).toBe('DEPROVISIONED');
    expect((await eventsOf(db(), tenantId)).at(-1)).toMatchObject({
      type: EventType.TENANT_DELETED,
      payload: { tenantId, slug: created.tenant.slug, adminEmail: created.tenant.adminEmail, receipt: { recordDeleted: true } },
    });

    const again = await newTenant(db(), { slug: created.tenant.slug });
    expect(again.tenant.id).not.toBe(tenantId);
  });

  it('DEPROVISION: the tenant DEPROVISIONED with its record kept, the infrastructure DEPROVISIONED, tenant.deprovisioned', async () => {
    const created = await activeTenant(db());
    const { jobId } = await requestDeprovision(db(), { tenantId: created.tenant.id, actor: 'test', maxRetries: 3 });
    const job = await claim(db(), 'worker-a');
    expect(job.id).toBe(jobId);
    await finish(db(), job, 'worker-a', { DELETE_HELM_RELEASES: { removed: ['HelmRelease/ai-service'] } });

    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.DEPROVISIONED);
    expect(await db().selectFrom('users').select('id').where('tenantId', '=', created.tenant.id).execute()).toHaveLength(1);
    expect((await infrastructureRow(db(), created.tenant.id)).status).toBe('DEPROVISIONED');
    expect((await eventsOf(db(), created.tenant.id)).at(-1)).toMatchObject({
      type: EventType.TENANT_DEPROVISIONED,
      payload: { jobId, removed: { DELETE_HELM_RELEASES: { removed: ['HelmRelease/ai-service'] } } },
    });
  });

  it('SUSPEND: the tenant stays SUSPENDED, the infrastructure SUSPENDED, tenant.suspended for the admin', async () => {
    const created = await activeTenant(db());
    const { jobId } = await suspendTenant(db(), { tenantId: created.tenant.id, actor: 'test', maxRetries: 3 });
    const job = await claim(db(), 'worker-a');
    expect(job).toMatchObject({ id: jobId, desired: { suspended: true, generation: 2 } });
    await finish(db(), job, 'worker-a');

    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.SUSPENDED);
    expect((await infrastructureRow(db(), created.tenant.id)).status).toBe('SUSPENDED');
    expect((await desiredState(db(), created.tenant.id)).observedGeneration).toBe(2);
    expect((await eventsOf(db(), created.tenant.id)).at(-1)).toMatchObject({ type: EventType.TENANT_SUSPENDED, payload: { jobId, adminEmail: created.tenant.adminEmail } });
  });

  it('REACTIVATE: the tenant ACTIVE again only now, tenant.activated', async () => {
    const created = await suspendedTenant(db());
    const { jobId } = await reactivateTenant(db(), { tenantId: created.tenant.id, actor: 'test', maxRetries: 3 });
    const job = await claim(db(), 'worker-a');
    await advanceToTerminal(db(), job, 'worker-a');
    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.SUSPENDED);
    await finish(db(), job, 'worker-a');

    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.ACTIVE);
    expect((await infrastructureRow(db(), created.tenant.id)).status).toBe('ACTIVE');
    expect((await eventsOf(db(), created.tenant.id)).at(-1)).toMatchObject({ type: EventType.TENANT_ACTIVATED, payload: { jobId } });
  });

  it('UPDATE: the new generation observed, the configuration recorded as actual, tenant.updated with what changed', async () => {
    const created = await activeTenant(db());
    const { jobId } = await requestUpdate(db(), { tenantId: created.tenant.id, configuration: { storageGb: 250 }, actor: 'test', maxRetries: 3, trigger: 'api.tenant.patch' });
    const job = await claim(db(), 'worker-a');
    await finish(db(), job, 'worker-a', { APPLY_QUOTAS: { applied: ['ResourceQuota/tenant-quota'] }, VERIFY: { healthy: 14 } });

    expect((await desiredState(db(), created.tenant.id)).observedGeneration).toBe(2);
    expect((await infrastructureRow(db(), created.tenant.id)).configuration).toMatchObject({ storageGb: 250 });
    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.ACTIVE);
    expect((await eventsOf(db(), created.tenant.id)).at(-1)).toMatchObject({
      type: EventType.TENANT_UPDATED,
      payload: { jobId, generation: 2, configuration: { storageGb: 250 }, changed: { APPLY_QUOTAS: { applied: ['ResourceQuota/tenant-quota'] } } },
    });
  });

  it('RECONCILE: drift.repaired when something was repaired, no event when nothing was', async () => {
    const created = await activeTenant(db());
    const tenantId = created.tenant.id;
    /** Queues a RECONCILE, runs it to its terminal step, finishes it; the events the finishing commit wrote. */
    const reconcile = async (observedUnderJobId: string, outputs: Record<string, Record<string, unknown>>) => {
      const queued = await queueReconcile(db(), { tenantId, observedUnderJobId, maxOpen: 5, maxRetries: 3, actor: 'reconciler', drift: [], reasons: ['sweep'] });
      if (!queued.queued) throw new Error(`not queued: ${queued.why}`);
      const job = await claim(db(), 'worker-a');
      await advanceToTerminal(db(), job, 'worker-a');
      const before = (await eventsOf(db(), tenantId)).length;
      await finish(db(), job, 'worker-a', outputs);
      expect((await jobRow(db(), queued.jobId)).status).toBe(JobStatus.SUCCEEDED);
      return { jobId: queued.jobId, events: (await eventsOf(db(), tenantId)).slice(before) };
    };

    const quiet = await reconcile(created.jobId, { CONFIGURE_NETWORKING: { applied: [] } });
    expect(quiet.events).toEqual([]);

    const repairing = await reconcile(quiet.jobId, { CONFIGURE_NETWORKING: { applied: ['NetworkPolicy/allow-dns'] } });
    expect(repairing.events).toHaveLength(1);
    expect(repairing.events[0]).toMatchObject({
      type: EventType.DRIFT_REPAIRED,
      payload: { jobId: repairing.jobId, repaired: { CONFIGURE_NETWORKING: { applied: ['NetworkPolicy/allow-dns'] } } },
    });
    expect((await tenantRow(db(), tenantId)).status).toBe(TenantStatus.ACTIVE);
  });

});
