import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/open-database.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import { waitForJobEnd } from '../support/provisioning.js';
import { type CreatedTenantResponse, type TestApp, adminAuth, createTenantViaApi, startTestApp } from '../support/test-app.js';

/**
 * Issue 16 defect 2, as the adversarial run found it: while an UPDATE job runs, loops of changed
 * provision requests and invalid updates against two replicas got `deadlock detected` as 500s,
 * and the job's worker once lost its transaction and waited out its lease. Locks are now taken in
 * one order (tenant, job, declaration) and a conflicting request transaction runs once more.
 */
describe('concurrent infrastructure requests on two replicas while a job runs', () => {
  let first: TestApp;
  let second: TestApp;
  let shared: TestDatabase;
  let tenant: CreatedTenantResponse;
  const LEASE_MS = 30_000;

  beforeAll(async () => {
    shared = await openTestDatabase();
    // The second replica: its own pool on the same database, closed (not dropped) with its app.
    const own = openDatabase({ url: shared.url, kind: 'external', poolSize: 20 });
    first = await startTestApp({ database: shared, engine: { delayMs: 20, leaseMs: LEASE_MS, owner: 'replica-a', concurrency: 2 } });
    second = await startTestApp({ database: { ...own, url: shared.url }, engine: { delayMs: 20, leaseMs: LEASE_MS, owner: 'replica-b', concurrency: 2 } });
    tenant = await createTenantViaApi(first.app, { tier: 'PROFESSIONAL' });
    expect((await waitForJobEnd(first.app, tenant.id, 90_000)).job.status).toBe('SUCCEEDED');
  }, 120_000);

  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('answers every request without a 5xx and the running job finishes without waiting out its lease', async () => {
    const update = await first.app.inject({ method: 'PATCH', url: `/api/v1/tenants/${tenant.id}`, headers: adminAuth, payload: { configuration: { storageGb: 150 } } });
    expect(update.statusCode, update.body).toBe(202);
    const started = Date.now();
    const statuses = new Map<number, number>();
    const until = Date.now() + 8_000;
    let n = 0;
    const loop = async (replica: TestApp, invalid: boolean) => {
      while (Date.now() < until) {
        n += 1;
        const res = invalid
          ? await replica.infra.inject({ method: 'PUT', url: `/api/v1/infrastructure/tenants/${tenant.id}`, headers: adminAuth, payload: { configuration: { storageGb: -1 } } })
          : await replica.infra.inject({
              method: 'POST',
              url: `/api/v1/infrastructure/tenants/${tenant.id}/provision`,
              headers: adminAuth,
              payload: { tier: 'professional', region: 'eastus', cloudProvider: 'AZURE', configuration: { storageGb: 100 + (n % 50) } },
            });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500) throw new Error(`${res.statusCode}: ${res.body}`);
      }
    };
    await Promise.all([first, second].flatMap((replica) => [loop(replica, false), loop(replica, false), loop(replica, false), loop(replica, true)]));
    const answered = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(answered).toBeGreaterThan(50);
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    // The update ran to its end (or was joined by the provisions' updates after it), none of them
    // stuck behind a lost lease: every job of the tenant is finished well inside one lease.
    const done = await waitForJobEnd(first.app, tenant.id, LEASE_MS);
    expect(done.job.status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeLessThan(LEASE_MS);
    // A job taken over after its worker lost it is `job.resumed` in the history: none here.
    const resumed = await shared.db.selectFrom('provisioningAuditLogs').select('trigger').where('tenantId', '=', tenant.id).where('trigger', '=', 'job.resumed').execute();
    expect(resumed).toEqual([]);
  }, 90_000);
});
