import { describe, expect, it } from 'vitest';
import { JobKind, JobStatus } from '../../domain/provisioning.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import type { Db } from '../open-database.js';
import {
  activeTenant,
  claim,
  databasePerTest,
  desiredState,
  failClaimed,
  failedTenant,
  finish,
  jobRow,
  jobsOf,
  newTenant,
  startTenantDeletion,
  suspendedTenant,
  tenantRow,
  tenantSnapshot,
} from '../../../test/support/store-operations.js';
import { requestDeprovision } from './request-deprovision.js';
import { requestUpdate } from './request-update.js';

const deprovision = (db: Db, tenantId: string) => requestDeprovision(db, { tenantId, actor: 'alice', maxRetries: 2 });

describe('requestDeprovision', () => {
  const db = databasePerTest();

  it('makes an ACTIVE tenant DEPROVISIONING and queues the DEPROVISION job in one commit, the declaration untouched', async () => {
    const created = await activeTenant(db());
    const result = await deprovision(db(), created.tenant.id);

    expect(result).toMatchObject({ changed: false, desired: { generation: 1 } });
    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.DEPROVISIONING);
    const job = await jobRow(db(), result.jobId!);
    expect(job).toMatchObject({ kind: JobKind.DEPROVISION, status: JobStatus.PENDING, initiatedBy: 'alice', maxRetries: 2 });
    expect(job.context).toMatchObject({ fromStatus: TenantStatus.ACTIVE, generation: 1 });
    expect((await desiredState(db(), created.tenant.id)).generation).toBe(1);
  });

  it('is idempotent: asked again while it runs it answers the same job; once done it needs nothing', async () => {
    const created = await activeTenant(db());
    const first = await deprovision(db(), created.tenant.id);
    expect(await deprovision(db(), created.tenant.id)).toMatchObject({ jobId: first.jobId, changed: false });
    expect((await jobsOf(db(), created.tenant.id)).filter((j) => j.kind === JobKind.DEPROVISION)).toHaveLength(1);

    await finish(db(), await claim(db(), 'worker-a'), 'worker-a');
    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.DEPROVISIONED);
    const before = await tenantSnapshot(db(), created.tenant.id);
    expect(await deprovision(db(), created.tenant.id)).toMatchObject({ jobId: null, changed: false });
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });

  it('tears down a SUSPENDED tenant, and one whose provisioning FAILED', async () => {
    for (const created of [await suspendedTenant(db()), await failedTenant(db())]) {
      const from = (await tenantRow(db(), created.tenant.id)).status;
      const { jobId } = await deprovision(db(), created.tenant.id);
      expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.DEPROVISIONING);
      expect((await jobRow(db(), jobId!)).context).toMatchObject({ fromStatus: from });
      await finish(db(), await claim(db(), 'worker-a'), 'worker-a');
    }
  });

  it('says how to resume a deprovisioning that stopped (409 deprovision_stopped) instead of starting another', async () => {
    const created = await activeTenant(db());
    const { jobId } = await deprovision(db(), created.tenant.id);
    await failClaimed(db(), await claim(db(), 'worker-a'), 'worker-a', 'DELETE_NAMESPACE: stuck finalizer');

    const before = await tenantSnapshot(db(), created.tenant.id);
    const error = await deprovision(db(), created.tenant.id).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'CONFLICT', code: 'deprovision_stopped' });
    expect((error as Error).message).toContain(jobId!);
    expect((error as Error).message).toContain('DELETE_NAMESPACE: stuck finalizer');
    expect((error as Error).message).toContain(`/api/v1/tenants/${created.tenant.id}/provisioning/retry`);
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });

  it('refuses while another job is in flight (409 job_in_flight): a provisioning, an update, a deletion', async () => {
    const updating = await activeTenant(db());
    const deleting = await activeTenant(db());
    await requestUpdate(db(), { tenantId: updating.tenant.id, configuration: { storageGb: 222 }, actor: 'a', maxRetries: 3, trigger: 't' });
    await startTenantDeletion(db(), deleting.tenant.id);
    const provisioning = await newTenant(db());

    for (const created of [provisioning, updating, deleting]) {
      const before = await tenantSnapshot(db(), created.tenant.id);
      await expect(deprovision(db(), created.tenant.id)).rejects.toMatchObject({ kind: 'CONFLICT', code: 'job_in_flight' });
      expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
    }
  });

  it('refuses a tenant whose deletion stopped (409 tenant_not_active)', async () => {
    const created = await activeTenant(db());
    await startTenantDeletion(db(), created.tenant.id);
    await failClaimed(db(), await claim(db(), 'worker-a'), 'worker-a');
    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.DELETING);
    await expect(deprovision(db(), created.tenant.id)).rejects.toMatchObject({ kind: 'CONFLICT', code: 'tenant_not_active' });
  });

  it('answers not_found for a deleted tenant or none at all', async () => {
    const created = await activeTenant(db());
    await startTenantDeletion(db(), created.tenant.id);
    await finish(db(), await claim(db(), 'worker-a'), 'worker-a');
    await expect(deprovision(db(), created.tenant.id)).rejects.toMatchObject({ kind: 'NOT_FOUND' });
    await expect(deprovision(db(), '00000000-0000-7000-8000-000000000000')).rejects.toMatchObject({ kind: 'NOT_FOUND' });
  });
});
