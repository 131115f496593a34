import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/open-database.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { type TestApp, adminAuth, startTestApp, tenantBody } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The API when its database cannot be reached (a failover, a network cut, a restart): requests
 * answer 503 problem+json with Retry-After, /ready says so, the process keeps serving, and both
 * come back on their own once the database answers again. The service talks to its database
 * through a TCP proxy the test cuts and restores.
 */
describe('the API while its database is unreachable', () => {
  let proxy: TcpProxy;
  let own: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    own = await openTestDatabase();
    const url = new URL(own.url);
    proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    url.port = String(await proxy.start());
    const through = openDatabase({ url: url.toString(), poolSize: 4, kind: 'external', connectTimeoutMs: 1000 });
    // Served through the proxy; created and dropped directly.
    t = await startTestApp({ database: { ...through, url: own.url, close: () => through.close() } });
  });
  afterAll(async () => {
    await t.close();
    await proxy.close();
    await own.close();
  });

  it('answers 503 database_unavailable with Retry-After, goes not ready, and recovers by itself', async () => {
    const before = await t.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: adminAuth, payload: tenantBody() });
    expect(before.statusCode).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);

    await proxy.cut();
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: adminAuth, payload: tenantBody() });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toMatchObject({ status: 503, code: 'database_unavailable' });
    const read = await t.app.inject({ method: 'GET', url: `/api/v1/tenants/${before.json<{ id: string }>().id}`, headers: adminAuth });
    expect(read.statusCode).toBe(503);
    const ready = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['retry-after']).toBe('1');
    expect(ready.json<{ status: string }>().status).toBe('DOWN');
    // Liveness is not readiness: the process is fine.
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);

    await proxy.restore();
    await waitFor(async () => ((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode === 200 ? true : undefined), 10_000, '/ready 200');
    const after = await t.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: adminAuth, payload: tenantBody() });
    expect(after.statusCode).toBe(201);
    // Nothing of the refused request was written.
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/tenants?limit=100', headers: adminAuth });
    expect(listed.json<{ items: unknown[] }>().items).toHaveLength(2);
  });

  it('goes not ready when a pooled session is lost, even before a request fails, until a probe gets through', async () => {
    // Fill the pool with idle sessions, then cut them under it.
    await Promise.all([1, 2, 3].map(() => t.app.inject({ method: 'GET', url: '/api/v1/tenants?limit=1', headers: adminAuth })));
    await proxy.cut();
    await proxy.restore();
    await waitFor(async () => (t.deps.database.health.state.ready ? undefined : true), 5_000, 'readiness to drop');
    expect((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(503);
    await waitFor(async () => ((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode === 200 ? true : undefined), 10_000, '/ready 200');
  });
});
