import { describe, expect, it } from 'vitest';
import { DEFAULT_BILLING_PLANS } from '../../domain/billing.js';
import { newId } from '../../domain/ids.js';
import { JobKind, JobStatus } from '../../domain/provisioning.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import { Tier } from '../../domain/tiers.js';
import type { Db } from '../open-database.js';
import {
  activeTenant,
  databasePerTest,
  deprovisionedTenant,
  desiredState,
  failedTenant,
  finish,
  claim,
  historyOf,
  jobRow,
  jobsOf,
  newTenant,
  runNextJob,
  startTenantDeletion,
  suspendedTenant,
  tenantRow,
  tenantSnapshot,
} from '../../../test/support/store-operations.js';
import { type RequestUpdateInput, requestUpdate } from './request-update.js';

const update = (db: Db, tenantId: string, change: Partial<RequestUpdateInput> = {}) =>
  requestUpdate(db, { tenantId, actor: 'alice', maxRetries: 5, trigger: 'api.tenant.patch', ...change });

describe('requestUpdate', () => {
  const db = databasePerTest();

  it('declares the change (generation + 1) and queues the UPDATE job that converges the tenant to it', async () => {
    const created = await activeTenant(db());
    const result = await update(db(), created.tenant.id, { configuration: { storageGb: 200 } });

    expect(result.changed).toBe(true);
    expect(result.desired).toMatchObject({ generation: 2, configuration: { storageGb: 200, databaseSize: 'Standard_D2s_v3', enableHa: false } });
    expect(await desiredState(db(), created.tenant.id)).toMatchObject({ generation: 2, configuration: { storageGb: 200 }, updatedBy: 'alice' });
    const job = await jobRow(db(), result.jobId!);
    expect(job).toMatchObject({ kind: JobKind.UPDATE, tier: Tier.PROFESSIONAL, status: JobStatus.PENDING, initiatedBy: 'alice', maxRetries: 5 });
    expect(job.context).toMatchObject({ trigger: 'api.tenant.patch', generation: 2, configuration: { storageGb: 200 } });
    expect((await historyOf(db(), created.tenant.id, result.jobId!)).map((h) => h.trigger)).toEqual(['api.tenant.patch']);
    // The tenant stays ACTIVE while it converges.
    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.ACTIVE);
  });

  it('queues nothing when the declaration already says this: no job, the generation unchanged', async () => {
    const created = await activeTenant(db());
    const first = await update(db(), created.tenant.id, { configuration: { storageGb: 200 } });
    await runNextJob(db(), first.jobId);

    const before = await tenantSnapshot(db(), created.tenant.id);
    for (const change of [{ configuration: { storageGb: 200 } }, { tier: 'professional' }, {}]) {
      const again = await update(db(), created.tenant.id, change);
      expect(again).toMatchObject({ jobId: null, changed: false, desired: { generation: 2 } });
    }
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });

  it('changes the tier within the shared cluster: tier, subscription plan, configuration fitted to the tier', async () => {
    const created = await activeTenant(db());
    const result = await update(db(), created.tenant.id, { tier: 'free' });

    // Professional's 100 GB is more than Free allows (50): the declaration is fitted to the tier.
    expect(result).toMatchObject({ changed: true, desired: { tier: Tier.FREE, configuration: { storageGb: 50, enableHa: false } } });
    expect((await tenantRow(db(), created.tenant.id)).tier).toBe(Tier.FREE);
    const subscription = await db().selectFrom('billingSubscriptions').select('planId').where('tenantId', '=', created.tenant.id).executeTakeFirstOrThrow();
    expect(subscription.planId).toBe(DEFAULT_BILLING_PLANS.FREE.id);
    const job = await jobRow(db(), result.jobId!);
    expect(job).toMatchObject({ kind: JobKind.UPDATE, tier: Tier.FREE });
    expect(job.context).toMatchObject({ fromTier: Tier.PROFESSIONAL, toTier: Tier.FREE });
    // The worker runs the new tier's plan.
    expect(await claim(db(), 'worker-a')).toMatchObject({ id: result.jobId, tier: Tier.FREE });
  });

  it('refuses a move between the shared cluster and a dedicated one (409 tier_migration_unsupported), changing nothing', async () => {
    const created = await activeTenant(db());
    const before = await tenantSnapshot(db(), created.tenant.id);
    await expect(update(db(), created.tenant.id, { tier: 'ENTERPRISE' })).rejects.toMatchObject({ kind: 'CONFLICT', code: 'tier_migration_unsupported' });
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });

  it('refuses a downgrade that leaves no room for the tenant\'s users (409 too_many_users)', async () => {
    const created = await activeTenant(db());
    // No store operation adds users yet: five more than the admin, by hand.
    await db()
      .insertInto('users')
      .values(Array.from({ length: 5 }, (_, i) => ({ id: newId(), tenantId: created.tenant.id, email: `u${i}-${created.tenant.slug}@example.com`, displayName: null, status: 'ACTIVE', isTenantAdmin: false })))
      .execute();
    const before = await tenantSnapshot(db(), created.tenant.id);
    await expect(update(db(), created.tenant.id, { tier: 'FREE' })).rejects.toMatchObject({ kind: 'CONFLICT', code: 'too_many_users' });
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });

  it('reports every problem of the request at once (validation_failed) and changes nothing', async () => {
    const created = await activeTenant(db());
    const before = await tenantSnapshot(db(), created.tenant.id);
    await expect(update(db(), created.tenant.id, { tier: 'platinum' })).rejects.toMatchObject({ kind: 'VALIDATION', fieldErrors: [expect.objectContaining({ field: 'tier' })] });
    const error = await update(db(), created.tenant.id, { configuration: { storageGb: 999_999, enableHa: 'yes', colour: 'red' } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'VALIDATION' });
    const fields = (error as { fieldErrors: { field: string }[] }).fieldErrors.map((f) => f.field).sort();
    expect(fields).toEqual(['configuration.colour', 'configuration.enableHa', 'configuration.storageGb']);
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });

  it('refuses a SUSPENDED tenant (409 tenant_suspended) and one that is not live (409 tenant_not_active)', async () => {
    const suspended = await suspendedTenant(db());
    await expect(update(db(), suspended.tenant.id, { configuration: { storageGb: 300 } })).rejects.toMatchObject({ code: 'tenant_suspended' });
    for (const created of [await failedTenant(db()), await deprovisionedTenant(db()), await newTenant(db())]) {
      const before = await tenantSnapshot(db(), created.tenant.id);
      await expect(update(db(), created.tenant.id, { configuration: { storageGb: 300 } })).rejects.toMatchObject({ kind: 'CONFLICT', code: 'tenant_not_active' });
      expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
    }
  });

  it('refuses while another job is in flight (409 job_in_flight)', async () => {
    const created = await activeTenant(db());
    await update(db(), created.tenant.id, { configuration: { storageGb: 200 } });
    const before = await tenantSnapshot(db(), created.tenant.id);
    await expect(update(db(), created.tenant.id, { configuration: { storageGb: 300 } })).rejects.toMatchObject({ kind: 'CONFLICT', code: 'job_in_flight' });
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });

  it('queues one job when two different changes race; the loser is told a job is in flight', async () => {
    const created = await activeTenant(db());
    const results = await Promise.allSettled([update(db(), created.tenant.id, { configuration: { storageGb: 200 } }), update(db(), created.tenant.id, { configuration: { storageGb: 300 } })]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'job_in_flight' });
    expect((await jobsOf(db(), created.tenant.id)).filter((j) => j.kind === JobKind.UPDATE)).toHaveLength(1);
    expect((await desiredState(db(), created.tenant.id)).generation).toBe(2);
  });

  it('answers not_found for a deleted tenant', async () => {
    const created = await activeTenant(db());
    await startTenantDeletion(db(), created.tenant.id);
    await finish(db(), await claim(db(), 'worker-a'), 'worker-a');
    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.DELETED);
    await expect(update(db(), created.tenant.id, { configuration: { storageGb: 300 } })).rejects.toMatchObject({ kind: 'NOT_FOUND' });
  });

});
