import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../domain/errors.js';
import { JobKind, JobStatus } from '../../domain/provisioning.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import * as fixtures from '../../../test/support/store-operations.js';
import type { Db } from '../open-database.js';
import { type OperationHooks, type OperationRequestInput, requestOperation } from './request-operation.js';

function request<C = undefined>(db: Db, input: Partial<OperationRequestInput> & Pick<OperationRequestInput, 'tenantId' | 'kind'>, hooks?: OperationHooks<C>) {
  return db.transaction().execute((trx) => requestOperation(trx, { actor: 'test', trigger: 'test.request', maxRetries: 2, ...input }, hooks));
}

describe('requestOperation', () => {
  const db = fixtures.databasePerTest();

  it('starts a job: the status the table gives, the columns the operation adds, the job with its details and tier, one audit row', async () => {
    const created = await fixtures.activeTenant(db());
    const seen: string[] = [];
    const result = await request(
      db(),
      { tenantId: created.tenant.id, kind: JobKind.SUSPEND },
      {
        check: (tenant) => {
          seen.push(`check ${tenant.status}`);
          return 'checked';
        },
        prepare: (_tenant, checked) => {
          seen.push(`prepare ${checked}`);
          return Promise.resolve({ details: { reason: 'unpaid' }, tenantChanges: { tokensValidAfter: sql<Date>`now()` } });
        },
        started: (_tenant, jobId, checked) => {
          seen.push(`started ${checked} ${jobId}`);
          return Promise.resolve();
        },
      },
    );
    expect(result).toMatchObject({ admission: 'start', kind: JobKind.SUSPEND, checked: 'checked' });
    expect(result.tenant.status).toBe(TenantStatus.ACTIVE);
    expect(seen).toEqual(['check ACTIVE', 'prepare checked', `started checked ${result.jobId}`]);
    const tenant = await fixtures.tenantRow(db(), created.tenant.id);
    expect(tenant.status).toBe(TenantStatus.SUSPENDED);
    expect(tenant.tokensValidAfter).not.toBeNull();
    const job = await fixtures.jobRow(db(), result.jobId ?? '');
    expect(job).toMatchObject({ kind: JobKind.SUSPEND, status: JobStatus.PENDING, tier: created.tenant.tier, maxRetries: 2, initiatedBy: 'test' });
    expect(job.context).toEqual({ trigger: 'test.request', reason: 'unpaid' });
    expect((await fixtures.historyOf(db(), created.tenant.id, result.jobId ?? '')).map((h) => h.trigger)).toEqual(['test.request']);
  });

  it('does nothing when the tenant already is where the operation leads, and never calls prepare', async () => {
    const created = await fixtures.activeTenant(db());
    const before = await fixtures.tenantSnapshot(db(), created.tenant.id);
    const result = await request(db(), { tenantId: created.tenant.id, kind: JobKind.REACTIVATE }, { prepare: () => Promise.reject(new Error('prepare called')) });
    expect(result).toMatchObject({ admission: 'done', jobId: null });
    expect(await fixtures.tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });

  it('writes nothing of its own when prepare finds nothing to do', async () => {
    const created = await fixtures.activeTenant(db());
    const result = await request(db(), { tenantId: created.tenant.id, kind: JobKind.UPDATE }, { prepare: () => Promise.resolve(null) });
    expect(result).toMatchObject({ admission: 'start', jobId: null });
    expect((await fixtures.jobsOf(db(), created.tenant.id)).map((j) => j.kind)).toEqual([JobKind.PROVISION]);
  });

  it('answers a teardown under way with its job', async () => {
    const created = await fixtures.activeTenant(db());
    const jobId = await fixtures.startTenantDeletion(db(), created.tenant.id);
    expect(await request(db(), { tenantId: created.tenant.id, kind: JobKind.DELETE })).toMatchObject({ admission: 'under-way', jobId });
  });

  it("runs the request's own checks first: a 400 wins over a refusal by status", async () => {
    const created = await fixtures.newTenant(db());
    const invalid = request(db(), { tenantId: created.tenant.id, kind: JobKind.UPDATE }, { check: () => { throw new ValidationError([{ field: 'tier', message: 'bad' }]); } });
    await expect(invalid).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses by status before looking at jobs, except for the operations whose answer waits on the job in flight', async () => {
    const provisioning = await fixtures.newTenant(db());
    const before = await fixtures.tenantSnapshot(db(), provisioning.tenant.id);
    // A PROVISIONING tenant cannot be suspended whatever its job does...
    await expect(request(db(), { tenantId: provisioning.tenant.id, kind: JobKind.SUSPEND })).rejects.toMatchObject({ code: 'tenant_not_active' });
    // ...but may be deprovisioned once its provisioning has ended: the answer names that job.
    await expect(request(db(), { tenantId: provisioning.tenant.id, kind: JobKind.DEPROVISION })).rejects.toMatchObject({ code: 'job_in_flight', message: expect.stringContaining(provisioning.jobId) as unknown });
    expect(await fixtures.tenantSnapshot(db(), provisioning.tenant.id)).toEqual(before);
  });

  it('refuses an admitted request while any job is in flight', async () => {
    const created = await fixtures.activeTenant(db());
    await request(db(), { tenantId: created.tenant.id, kind: JobKind.UPDATE }, { prepare: () => Promise.resolve({}) });
    await expect(request(db(), { tenantId: created.tenant.id, kind: JobKind.SUSPEND })).rejects.toMatchObject({ code: 'job_in_flight' });
  });

  it('chooses the operation from the locked tenant when asked to', async () => {
    const deprovisioned = await fixtures.deprovisionedTenant(db());
    const result = await request(db(), { tenantId: deprovisioned.tenant.id, kind: (t) => (t.status === TenantStatus.ACTIVE ? JobKind.UPDATE : JobKind.PROVISION) });
    expect(result.kind).toBe(JobKind.PROVISION);
    expect((await fixtures.tenantRow(db(), deprovisioned.tenant.id)).status).toBe(TenantStatus.PROVISIONING);
  });

  it('answers 404 for a deleted tenant, except where the table refuses it by name', async () => {
    const created = await fixtures.activeTenant(db());
    await fixtures.runNextJob(db(), await fixtures.startTenantDeletion(db(), created.tenant.id));
    await expect(request(db(), { tenantId: created.tenant.id, kind: JobKind.UPDATE })).rejects.toMatchObject({ code: 'not_found' });
    await expect(request(db(), { tenantId: created.tenant.id, kind: JobKind.SUSPEND })).rejects.toMatchObject({ code: 'tenant_not_active', message: expect.stringContaining('DELETED') as unknown });
  });
});
