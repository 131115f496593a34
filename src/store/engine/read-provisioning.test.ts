import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import * as fixtures from '../../../test/support/store-operations.js';
import { readProvisioning } from './read-provisioning.js';

describe('readProvisioning', () => {
  const db = fixtures.databasePerTest();

  it('reads the tenant, its latest job, the job\'s steps in plan order and the last sequence in one round trip', async () => {
    const created = await fixtures.newTenant(db());
    const job = await fixtures.claim(db(), 'worker-a');
    await fixtures.advance(db(), job, 'worker-a', { cluster: 'shared-eastus-1' });

    const sent = vi.spyOn(pg.Client.prototype, 'query');
    let snapshot: Awaited<ReturnType<typeof readProvisioning>>;
    try {
      snapshot = await readProvisioning(db(), created.tenant.id);
      expect(sent).toHaveBeenCalledTimes(1);
    } finally {
      sent.mockRestore();
    }

    const rows = await fixtures.stepRows(db(), job.id);
    const state = await fixtures.provisioningState(db(), created.tenant.id);
    expect(snapshot?.tenant).toMatchObject({ id: created.tenant.id, slug: created.tenant.slug, status: 'PROVISIONING' });
    expect(snapshot?.tenant.createdAt).toBeInstanceOf(Date);
    expect(snapshot?.job).toMatchObject({ id: job.id, kind: 'PROVISION', status: 'RUNNING', currentStep: 'CREATE_NAMESPACE', initiatedBy: 'test', retryCount: 0 });
    expect(snapshot?.job?.startedAt).toBeInstanceOf(Date);
    expect(snapshot?.job?.context).toMatchObject({ slug: created.tenant.slug });
    expect(snapshot?.lastSeq).toBe(state.eventSeq);
    // Every step row, in plan order, its times as Dates equal to the columns'.
    expect(snapshot?.steps.map((s) => s.position)).toEqual([...rows.values()].map((r) => r.position).sort((a, b) => a - b));
    for (const step of snapshot?.steps ?? []) {
      const row = rows.get(step.name);
      expect(step).toMatchObject({ stage: row?.stage, status: row?.status, attempts: row?.attempts, lastError: row?.lastError });
      expect(step.startedAt?.getTime() ?? null).toBe(row?.startedAt?.getTime() ?? null);
      expect(step.completedAt?.getTime() ?? null).toBe(row?.completedAt?.getTime() ?? null);
    }
    expect(snapshot?.steps.find((s) => s.name === 'SELECT_CLUSTER')).toMatchObject({ status: 'COMPLETED' });
    expect(snapshot?.steps.find((s) => s.name === 'SELECT_CLUSTER')?.completedAt).toBeInstanceOf(Date);
  });

  it('reads the newest job of a tenant that had several, and a tenant without any job', async () => {
    const active = await fixtures.activeTenant(db());
    const deletion = await fixtures.startTenantDeletion(db(), active.tenant.id);
    expect((await readProvisioning(db(), active.tenant.id))?.job).toMatchObject({ id: deletion, kind: 'DELETE' });

    const bare = await fixtures.newTenant(db());
    await db().deleteFrom('tenantProvisioningJobs').where('tenantId', '=', bare.tenant.id).execute();
    expect(await readProvisioning(db(), bare.tenant.id)).toMatchObject({ tenant: { id: bare.tenant.id }, job: undefined, steps: [], lastSeq: 0 });

    expect(await readProvisioning(db(), '00000000-0000-7000-8000-000000000000')).toBeUndefined();
  });
});
