import { describe, expect, it } from 'vitest';
import { JobKind, JobStatus } from '../../domain/provisioning.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import { requestUpdate } from '../infrastructure/request-update.js';
import {
  activeTenant,
  claim,
  databaseNow,
  databasePerTest,
  deprovisionedTenant,
  desiredState,
  failedTenant,
  finish,
  jobRow,
  jobsOf,
  newTenant,
  runNextJob,
  suspendedTenant,
  tenantRow,
  tenantSnapshot,
} from '../../../test/support/store-operations.js';
import { reactivateTenant, suspendTenant } from './suspend-tenant.js';

const request = (tenantId: string) => ({ tenantId, actor: 'ops@platform', maxRetries: 4, reason: 'unpaid invoice' });

describe('suspendTenant', () => {
  const db = databasePerTest();

  it('suspends an ACTIVE tenant in one commit: SUSPENDED, its tokens revoked, the declaration bumped, a SUSPEND job queued', async () => {
    const created = await activeTenant(db());
    const before = await databaseNow(db());
    const result = await suspendTenant(db(), request(created.tenant.id));

    expect(result).toMatchObject({ tenantId: created.tenant.id, status: TenantStatus.SUSPENDED });
    expect(result.jobId).not.toBeNull();
    const tenant = await tenantRow(db(), created.tenant.id);
    expect(tenant.status).toBe(TenantStatus.SUSPENDED);
    expect(tenant.tokensValidAfter!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1);
    expect(await desiredState(db(), created.tenant.id)).toMatchObject({ suspended: true, generation: 2, updatedBy: 'ops@platform' });
    const job = await jobRow(db(), result.jobId!);
    expect(job).toMatchObject({ kind: JobKind.SUSPEND, status: JobStatus.PENDING, initiatedBy: 'ops@platform', maxRetries: 4 });
    expect(job.context).toMatchObject({ generation: 2, reason: 'unpaid invoice' });
  });

  it('is a no-op on a tenant already suspended: no job, no new generation', async () => {
    const created = await activeTenant(db());
    const first = await suspendTenant(db(), request(created.tenant.id));
    const before = await tenantSnapshot(db(), created.tenant.id);
    // While its SUSPEND job is still pending, and after it finished.
    expect(await suspendTenant(db(), request(created.tenant.id))).toEqual({ tenantId: created.tenant.id, status: TenantStatus.SUSPENDED, jobId: null });
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
    await runNextJob(db(), first.jobId);
    expect((await suspendTenant(db(), request(created.tenant.id))).jobId).toBeNull();
    expect((await jobsOf(db(), created.tenant.id)).filter((j) => j.kind === JobKind.SUSPEND)).toHaveLength(1);
  });

  it('refuses a tenant that is not ACTIVE (409 tenant_not_active) and changes nothing', async () => {
    const tenants = [await failedTenant(db()), await deprovisionedTenant(db()), await newTenant(db())];
    for (const created of tenants) {
      const before = await tenantSnapshot(db(), created.tenant.id);
      await expect(suspendTenant(db(), request(created.tenant.id))).rejects.toMatchObject({ kind: 'CONFLICT', code: 'tenant_not_active' });
      expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
    }
  });

  it('refuses an ACTIVE tenant with a job in flight (409 job_in_flight) and changes nothing', async () => {
    const created = await activeTenant(db());
    await requestUpdate(db(), { tenantId: created.tenant.id, configuration: { storageGb: 200 }, actor: 'test', maxRetries: 3, trigger: 'test' });
    const before = await tenantSnapshot(db(), created.tenant.id);
    await expect(suspendTenant(db(), request(created.tenant.id))).rejects.toMatchObject({ kind: 'CONFLICT', code: 'job_in_flight' });
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.ACTIVE);
  });

  it('queues one job when suspensions race', async () => {
    const created = await activeTenant(db());
    const results = await Promise.all(Array.from({ length: 4 }, () => suspendTenant(db(), request(created.tenant.id))));
    expect(results.filter((r) => r.jobId !== null)).toHaveLength(1);
    expect((await desiredState(db(), created.tenant.id)).generation).toBe(2);
  });

  it('answers not_found for a tenant that does not exist', async () => {
    await expect(suspendTenant(db(), request('00000000-0000-7000-8000-000000000000'))).rejects.toMatchObject({ kind: 'NOT_FOUND' });
  });
});

describe('reactivateTenant', () => {
  const db = databasePerTest();

  it('declares the tenant not suspended and queues a REACTIVATE job; the tenant stays SUSPENDED until the job ends', async () => {
    const created = await suspendedTenant(db());
    const result = await reactivateTenant(db(), request(created.tenant.id));

    expect(result).toMatchObject({ tenantId: created.tenant.id, status: TenantStatus.SUSPENDED });
    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.SUSPENDED);
    expect(await desiredState(db(), created.tenant.id)).toMatchObject({ suspended: false, generation: 3 });
    expect(await jobRow(db(), result.jobId!)).toMatchObject({ kind: JobKind.REACTIVATE, status: JobStatus.PENDING, maxRetries: 4 });

    const job = await claim(db(), 'worker-a');
    expect(job).toMatchObject({ id: result.jobId, desired: { suspended: false, generation: 3 } });
    await finish(db(), job, 'worker-a');
    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.ACTIVE);
  });

  it('is a no-op on an ACTIVE tenant', async () => {
    const created = await activeTenant(db());
    const before = await tenantSnapshot(db(), created.tenant.id);
    expect(await reactivateTenant(db(), request(created.tenant.id))).toEqual({ tenantId: created.tenant.id, status: TenantStatus.ACTIVE, jobId: null });
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });

  it('refuses a tenant that is not SUSPENDED (409 tenant_not_suspended) and changes nothing', async () => {
    const tenants = [await failedTenant(db()), await deprovisionedTenant(db()), await newTenant(db())];
    for (const created of tenants) {
      const before = await tenantSnapshot(db(), created.tenant.id);
      await expect(reactivateTenant(db(), request(created.tenant.id))).rejects.toMatchObject({ kind: 'CONFLICT', code: 'tenant_not_suspended' });
      expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
    }
  });

  it('refuses while the SUSPEND job is still in flight (409 job_in_flight)', async () => {
    const created = await activeTenant(db());
    await suspendTenant(db(), request(created.tenant.id));
    const before = await tenantSnapshot(db(), created.tenant.id);
    await expect(reactivateTenant(db(), request(created.tenant.id))).rejects.toMatchObject({ kind: 'CONFLICT', code: 'job_in_flight' });
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });
});
