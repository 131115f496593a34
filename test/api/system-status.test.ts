import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJobEnd } from '../support/provisioning.js';
import { deleteNetworkPolicy, provisionTenant, waitForReconciles } from '../support/reconcile.js';
import { type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/** GET /api/v1/system/status: what the dashboard's health page shows besides the reconciler. */

interface SystemStatus {
  time: string;
  jobs: { byStatus: Record<string, number>; waitingForRetry: number };
  outbox: { undelivered: number; failing: number; oldestAgeSeconds: number | null };
  workers: { owner: string; jobs: number; latestLeaseUntil: string }[];
  leases: { jobId: string; tenantId: string; slug: string | null; kind: string; status: string; currentStep: string | null; leaseOwner: string; leaseUntil: string; expired: boolean }[];
  recentDrift: { tenantId: string; slug: string | null; seq: number; actor: string; differences: string[]; createdAt: string }[];
}

const OWNER = 'system-status-test-worker';

describe('system status API', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Slow enough that a running job holds its lease for a while.
    t = await startTestApp({ engine: { delayMs: 300, owner: OWNER } });
  });

  afterAll(async () => {
    await t?.close();
  });

  const read = async (headers: Record<string, string> = adminAuth) => t.app.inject({ method: 'GET', url: '/api/v1/system/status', headers });

  it('is for platform admins only', async () => {
    expect((await read({})).statusCode).toBe(401);
    const tenant = await createTenantViaApi(t.app);
    const res = await read(bearer(tenant.initialApiKey.key));
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    await waitForJobEnd(t.app, tenant.id);
  });

  it("shows a running job's lease and the worker holding it, then neither once it ends", async () => {
    const tenant = await createTenantViaApi(t.app);
    const seen = await waitFor(async () => {
      const body = (await read()).json<SystemStatus>();
      return body.leases.some((l) => l.jobId === tenant.provisioningJobId) ? body : undefined;
    }, 20_000, 'the provisioning job to show a lease');
    const lease = seen.leases.find((l) => l.jobId === tenant.provisioningJobId);
    expect(lease).toMatchObject({ tenantId: tenant.id, slug: tenant.slug, kind: 'PROVISION', status: 'RUNNING', leaseOwner: OWNER, expired: false });
    expect(new Date(lease?.leaseUntil ?? 0).getTime()).toBeGreaterThan(Date.parse(seen.time) - 1000);
    expect(seen.workers.find((w) => w.owner === OWNER)?.jobs).toBeGreaterThanOrEqual(1);
    expect(seen.jobs.byStatus.RUNNING).toBeGreaterThanOrEqual(1);

    await waitForJobEnd(t.app, tenant.id);
    const after = (await read()).json<SystemStatus>();
    expect(after.leases.map((l) => l.jobId)).not.toContain(tenant.provisioningJobId);
    expect(after.jobs.byStatus.SUCCEEDED).toBeGreaterThanOrEqual(2);
    // This app runs no outbox relay: the events of its tenants wait, and the backlog says so.
    expect(after.outbox.undelivered).toBeGreaterThan(0);
    expect(after.outbox.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(after.outbox.failing).toBe(0);
  });

  it('lists the drift the reconciler found, newest first, with what differed', async () => {
    expect((await read()).json<SystemStatus>().recentDrift).toEqual([]);
    const tenant = await provisionTenant(t);
    const policy = await deleteNetworkPolicy(t, tenant.slug);
    await t.engine?.reconciler.sweepOnce();
    const body = (await read()).json<SystemStatus>();
    expect(body.recentDrift).toHaveLength(1);
    const drift = body.recentDrift[0];
    expect(drift).toMatchObject({ tenantId: tenant.id, slug: tenant.slug, actor: 'reconciler' });
    expect(drift?.differences.join(' ')).toContain(policy);
    await waitForReconciles(t, tenant.id);
  });
});
