import { describe, expect, it } from 'vitest';
import { CLOUD_PROVIDERS, type CloudProvider } from '../../domain/cloud.js';
import { JobKind, JobStatus } from '../../domain/provisioning.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import { Tier } from '../../domain/tiers.js';
import type { Db } from '../open-database.js';
import {
  activeTenant,
  claim,
  databasePerTest,
  deprovisionedTenant,
  desiredState,
  failedTenant,
  finish,
  infrastructureRow,
  jobRow,
  jobsOf,
  newTenant,
  suspendedTenant,
  tenantRow,
  tenantSnapshot,
} from '../../../test/support/store-operations.js';
import { type RequestProvisionInput, requestProvision } from './request-provision.js';

const provision = (db: Db, tenantId: string, change: Partial<RequestProvisionInput> = {}) =>
  requestProvision(db, { tenantId, tier: 'professional', region: 'eastus', cloudProvider: 'AZURE', enabledCloudProviders: CLOUD_PROVIDERS, actor: 'alice', maxRetries: 3, ...change });

describe('requestProvision', () => {
  const db = databasePerTest();

  it('provisions a DEPROVISIONED tenant again: what was asked declared (generation + 1), PROVISIONING, a PROVISION job', async () => {
    const created = await deprovisionedTenant(db());
    const result = await provision(db(), created.tenant.id, { configuration: { storageGb: 400 } });

    expect(result).toMatchObject({ changed: true, desired: { generation: 2, suspended: false, configuration: { storageGb: 400 } } });
    const tenant = await tenantRow(db(), created.tenant.id);
    expect(tenant).toMatchObject({ status: TenantStatus.PROVISIONING, provisioningCompletedAt: null, provisioningError: null });
    expect(await jobRow(db(), result.jobId!)).toMatchObject({ kind: JobKind.PROVISION, status: JobStatus.PENDING, initiatedBy: 'alice' });
    expect((await infrastructureRow(db(), created.tenant.id)).status).toBe('REQUESTED');

    // The job provisions from the first step after the control-plane ones, and the tenant is ACTIVE again.
    const job = await claim(db(), 'worker-a');
    expect(job).toMatchObject({ id: result.jobId, currentStep: 'SELECT_CLUSTER', desired: { generation: 2 } });
    await finish(db(), job, 'worker-a');
    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.ACTIVE);
    expect((await desiredState(db(), created.tenant.id)).observedGeneration).toBe(2);
  });

  it('queues a PROVISION job for a DEPROVISIONED tenant even when the declaration is unchanged', async () => {
    const created = await deprovisionedTenant(db());
    const result = await provision(db(), created.tenant.id);
    expect(result).toMatchObject({ changed: false, desired: { generation: 1 } });
    expect((await jobRow(db(), result.jobId!)).kind).toBe(JobKind.PROVISION);
  });

  it('for an ACTIVE tenant: nothing at all when the declaration already says this, an UPDATE when it differs', async () => {
    const created = await activeTenant(db());
    const before = await tenantSnapshot(db(), created.tenant.id);
    expect(await provision(db(), created.tenant.id)).toMatchObject({ jobId: null, changed: false, desired: { generation: 1 } });
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);

    const changed = await provision(db(), created.tenant.id, { configuration: { enableHa: true } });
    expect(changed).toMatchObject({ changed: true, desired: { generation: 2, configuration: { enableHa: true } } });
    expect(await jobRow(db(), changed.jobId!)).toMatchObject({ kind: JobKind.UPDATE, status: JobStatus.PENDING });
    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.ACTIVE);
  });

  it('provisions a FAILED tenant again where it was placed', async () => {
    const created = await failedTenant(db());
    const result = await provision(db(), created.tenant.id);
    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.PROVISIONING);
    expect((await jobRow(db(), result.jobId!)).kind).toBe(JobKind.PROVISION);
    expect((await jobsOf(db(), created.tenant.id)).map((j) => j.status)).toEqual([JobStatus.FAILED, JobStatus.PENDING]);
  });

  it('refuses a move to another region or cloud (409 migration_unsupported) for a live or failed tenant, changing nothing', async () => {
    const moves: { change: Partial<RequestProvisionInput>; field: string }[] = [
      { change: { region: 'westus2' }, field: 'region' },
      { change: { cloudProvider: 'AWS', region: 'us-east-1' }, field: 'cloudProvider' },
    ];
    for (const created of [await activeTenant(db()), await failedTenant(db())]) {
      const before = await tenantSnapshot(db(), created.tenant.id);
      for (const { change, field } of moves) {
        await expect(provision(db(), created.tenant.id, change)).rejects.toMatchObject({ kind: 'CONFLICT', code: 'migration_unsupported', field });
      }
      expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
    }
  });

  it('refuses a FAILED shared-cluster tenant provisioned again as a dedicated one (409 tier_migration_unsupported)', async () => {
    const created = await failedTenant(db());
    await expect(provision(db(), created.tenant.id, { tier: 'enterprise' })).rejects.toMatchObject({ code: 'tier_migration_unsupported' });
    expect((await tenantRow(db(), created.tenant.id)).tier).toBe(Tier.PROFESSIONAL);
  });

  it('refuses a SUSPENDED tenant (409 tenant_suspended) and one in flight (409 job_in_flight)', async () => {
    const suspended = await suspendedTenant(db());
    await expect(provision(db(), suspended.tenant.id)).rejects.toMatchObject({ kind: 'CONFLICT', code: 'tenant_suspended' });
    const provisioning = await newTenant(db());
    const before = await tenantSnapshot(db(), provisioning.tenant.id);
    await expect(provision(db(), provisioning.tenant.id)).rejects.toMatchObject({ kind: 'CONFLICT', code: 'job_in_flight' });
    expect(await tenantSnapshot(db(), provisioning.tenant.id)).toEqual(before);
  });

  it('reports every problem of the request at once, before looking at the tenant\'s state', async () => {
    const created = await newTenant(db());
    const before = await tenantSnapshot(db(), created.tenant.id);
    const error = await provision(db(), created.tenant.id, { tier: 'platinum', cloudProvider: 'IBM', configuration: { storageGb: 0 } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'VALIDATION' });
    expect((error as { fieldErrors: { field: string }[] }).fieldErrors.map((f) => f.field).sort()).toEqual(['cloudProvider', 'configuration.storageGb', 'tier']);

    const enabled: readonly CloudProvider[] = ['AZURE'];
    await expect(provision(db(), created.tenant.id, { cloudProvider: 'AWS', region: 'us-east-1', enabledCloudProviders: enabled })).rejects.toMatchObject({
      kind: 'VALIDATION',
      fieldErrors: [expect.objectContaining({ field: 'cloudProvider' })],
    });
    await expect(provision(db(), created.tenant.id, { region: 'us-east-1' })).rejects.toMatchObject({ kind: 'VALIDATION', fieldErrors: [expect.objectContaining({ field: 'region' })] });
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });

  it('queues one job when requests race on a DEPROVISIONED tenant', async () => {
    const created = await deprovisionedTenant(db());
    const results = await Promise.allSettled([provision(db(), created.tenant.id), provision(db(), created.tenant.id), provision(db(), created.tenant.id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'job_in_flight' });
    expect((await jobsOf(db(), created.tenant.id)).filter((j) => j.status === JobStatus.PENDING)).toHaveLength(1);
  });
});
