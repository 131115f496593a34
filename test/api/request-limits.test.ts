import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RequestLimitSettings } from '../../src/config/request-limit-settings.js';
import { openDatabase } from '../../src/store/open-database.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import { waitForJobEnd } from '../support/provisioning.js';
import { type CreatedTenantResponse, type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp } from '../support/test-app.js';

/**
 * Issue 16 item 10: rate limits per credential and per tenant, and lockouts after failed sign-ins
 * and wrong deletion codes, counted in the database that replicas share. Each suite runs two
 * replicas (their own pools) on one database, with the limits on, beside a third app on the same
 * database without limits that sets the scene (tenants, keys) without counting.
 */

interface Problem {
  status: number;
  code: string;
  detail: string;
}

const MINUTE = 60_000;
const OFF: RequestLimitSettings = {
  perCredential: 0,
  perTenant: 0,
  windowMs: MINUTE,
  loginLockout: { failures: 0, windowMs: MINUTE },
  deletionLockout: { failures: 0, windowMs: MINUTE },
  trustProxy: false,
};

interface Replicas {
  /** No limits, and the provisioning engine: it provisions (and deletes) the tenants of the scene. */
  setup: TestApp;
  a: FastifyInstance;
  b: FastifyInstance;
  close(): Promise<void>;
}

/** Replicas A and B with `limits`, and an unlimited app for setting the scene, all on one new database. */
async function replicas(limits: RequestLimitSettings): Promise<Replicas> {
  const shared: TestDatabase = await openTestDatabase();
  const setup = await startTestApp({ database: shared, engine: {} });
  const own = () => ({ ...openDatabase({ url: shared.url, kind: 'external', poolSize: 5 }), url: shared.url });
  const a = await startTestApp({ database: own(), requestLimits: limits });
  const b = await startTestApp({ database: own(), requestLimits: limits });
  return {
    setup,
    a: a.app,
    b: b.app,
    async close() {
      await a.close();
      await b.close();
      await setup.close();
    },
  };
}

const get = (app: FastifyInstance, url: string, headers: Record<string, string>, remoteAddress = '127.0.0.1') =>
  app.inject({ method: 'GET', url, headers, remoteAddress });

function expectProblem(res: LightMyRequestResponse, status: number, code: string): Problem {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = res.json<Problem>();
  expect(problem).toMatchObject({ status, code });
  return problem;
}

/** A tenant provisioned to ACTIVE: one that can be deleted. */
async function activeTenant(setup: TestApp): Promise<CreatedTenantResponse> {
  const tenant = await createTenantViaApi(setup.app);
  expect((await waitForJobEnd(setup.app, tenant.id, 60_000)).job.status).toBe('SUCCEEDED');
  return tenant;
}

async function newKey(setup: TestApp, tenantId: string, name: string): Promise<string> {
  const res = await setup.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenantId}/api-keys`, headers: adminAuth, payload: { name, role: 'Viewer' } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ key: string }>().key;
}

describe('rate limits shared by two replicas', () => {
  let r: Replicas;
  const limits: RequestLimitSettings = { ...OFF, perCredential: 5, perTenant: 8, loginLockout: { failures: 3, windowMs: MINUTE } };

  beforeAll(async () => {
    r = await replicas(limits);
  });
  afterAll(async () => {
    await r?.close();
  });

  it("counts a credential's requests on both replicas together, its tokens with its key, and answers the sixth with a 429 problem", async () => {
    const tenant = await createTenantViaApi(r.setup.app);
    const key = tenant.initialApiKey.key;
    const seen: { status: number; limit: unknown; remaining: unknown; reset: unknown }[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await get(i % 2 === 0 ? r.a : r.b, `/api/v1/tenants/${tenant.id}`, bearer(key));
      seen.push({ status: res.statusCode, limit: res.headers['x-ratelimit-limit'], remaining: res.headers['x-ratelimit-remaining'], reset: res.headers['x-ratelimit-reset'] });
    }
    expect(seen.map((s) => s.status)).toEqual([200, 200, 200, 200, 200]);
    expect(seen.map((s) => s.remaining)).toEqual(['4', '3', '2', '1', '0']);
    expect(new Set(seen.map((s) => s.limit))).toEqual(new Set(['5']));
    for (const s of seen) expect(Number(s.reset)).toBeGreaterThan(55);

    const refused = await get(r.b, `/api/v1/tenants/${tenant.id}`, bearer(key));
    const problem = expectProblem(refused, 429, 'rate_limited');
    expect(problem.detail).toMatch(/^too many requests: this credential may make 5 requests per minute, and its tenant 8; try again in \d+ s$/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(55);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.headers).toMatchObject({ 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0' });
    expect(refused.headers['x-ratelimit-reset']).toBe(refused.headers['retry-after']);

    // A token exchanged for the key is the same credential (the exchange counts against the address).
    const exchanged = await r.a.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: key } });
    expect(exchanged.statusCode, exchanged.body).toBe(200);
    const token = exchanged.json<{ accessToken: string }>().accessToken;
    expectProblem(await get(r.a, '/api/v1/auth/whoami', bearer(token)), 429, 'rate_limited');
    // Another credential is not held up by this one's count.
    expect((await get(r.a, `/api/v1/tenants/${tenant.id}`, adminAuth)).statusCode).toBe(200);
  });

  it("counts every credential of a tenant against the tenant's limit", async () => {
    const tenant = await createTenantViaApi(r.setup.app);
    const first = tenant.initialApiKey.key;
    const second = await newKey(r.setup, tenant.id, 'second');
    for (let i = 0; i < 5; i++) expect((await get(i % 2 === 0 ? r.a : r.b, `/api/v1/tenants/${tenant.id}`, bearer(first))).statusCode).toBe(200);
    // The second key has used none of its own 5, but the tenant has 3 of its 8 left.
    const remaining: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await get(i % 2 === 0 ? r.b : r.a, `/api/v1/tenants/${tenant.id}`, bearer(second));
      expect(res.statusCode, res.body).toBe(200);
      remaining.push(res.headers['x-ratelimit-remaining']);
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const refused = await get(r.a, `/api/v1/tenants/${tenant.id}`, bearer(second));
    expectProblem(refused, 429, 'rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another tenant's keys count on their own.
    const other = await createTenantViaApi(r.setup.app);
    expect((await get(r.b, `/api/v1/tenants/${other.id}`, bearer(other.initialApiKey.key))).statusCode).toBe(200);
  });

  it('counts requests without a credential against the client address', async () => {
    const path = '/api/v1/auth/oidc/config';
    for (let i = 0; i < 5; i++) expect((await get(i % 2 === 0 ? r.a : r.b, path, {}, '192.0.2.10')).headers['x-ratelimit-remaining']).toBe(String(4 - i));
    expectProblem(await get(r.a, path, {}, '192.0.2.10'), 429, 'rate_limited');
    // Unknown paths too: probing for routes is no way around the limit.
    expectProblem(await get(r.b, '/no/such/route', {}, '192.0.2.10'), 429, 'rate_limited');
    expect((await get(r.a, path, {}, '192.0.2.11')).headers['x-ratelimit-remaining']).toBe('4');
    expectProblem(await get(r.a, '/no/such/route', {}, '192.0.2.11'), 404, 'route_not_found');
  });

  it('never limits health, readiness and metrics', async () => {
    for (let i = 0; i < 12; i++) {
      for (const path of ['/health', '/ready', '/metrics']) {
        const res = await get(i % 2 === 0 ? r.a : r.b, path, {}, '192.0.2.20');
        expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
        expect(res.headers['x-ratelimit-limit']).toBeUndefined();
      }
    }
  });

  it('locks an address out after failed sign-ins on either replica: wrong keys get 429, the right key still signs in', async () => {
    const tenant = await createTenantViaApi(r.setup.app);
    const signIn = (app: FastifyInstance, apiKey: string, remoteAddress: string) =>
      app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey }, remoteAddress });
    const wrong = `${tenant.initialApiKey.key.slice(0, -4)}AAAA`;
    expectProblem(await signIn(r.a, wrong, '198.51.100.1'), 401, 'unauthenticated');
    expectProblem(await signIn(r.b, wrong, '198.51.100.1'), 401, 'unauthenticated');
    expectProblem(await signIn(r.a, 'not-a-key', '198.51.100.1'), 401, 'unauthenticated');
    const locked = await signIn(r.b, wrong, '198.51.100.1');
    const problem = expectProblem(locked, 429, 'login_locked_out');
    expect(problem.detail).toMatch(/^3 refused credentials from this address within 60 s: its refused sign-ins are answered 429 until the window ends; try again in \d+ s$/);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(50);
    // A key beyond guessing that verifies is served: ten bad requests from a shared address
    // (a NAT, a proxy) must not lock its admins out.
    expect((await signIn(r.a, tenant.initialApiKey.key, '198.51.100.1')).statusCode).toBe(200);
    // Another address is not concerned: its first wrong key is a 401.
    expectProblem(await signIn(r.b, wrong, '198.51.100.2'), 401, 'unauthenticated');
  });

  it('counts refused bearer tokens on any route the same way; a good token from that address is still served', async () => {
    const tenant = await createTenantViaApi(r.setup.app);
    const address = '198.51.100.7';
    // No credential at all is no failed sign-in.
    for (let i = 0; i < 4; i++) expectProblem(await get(r.a, '/api/v1/auth/whoami', {}, address), 401, 'unauthenticated');
    expectProblem(await get(r.a, '/api/v1/auth/whoami', bearer('a-made-up-token'), address), 401, 'unauthenticated');
    expectProblem(await get(r.b, '/api/v1/auth/whoami', bearer('mtk_nope'), address), 401, 'unauthenticated');
    expectProblem(await get(r.a, '/api/v1/auth/whoami', bearer('another-made-up-token'), address), 401, 'unauthenticated');
    const locked = await get(r.b, '/api/v1/auth/whoami', bearer('yet-another-token'), address);
    expectProblem(locked, 429, 'login_locked_out');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(50);
    expectProblem(await get(r.a, `/api/v1/tenants/${tenant.id}`, bearer(`${tenant.initialApiKey.key}x`), address), 429, 'login_locked_out');
    expect((await get(r.a, `/api/v1/tenants/${tenant.id}`, bearer(tenant.initialApiKey.key), address)).statusCode).toBe(200);
  });
});

describe('a tenant limit alone', () => {
  let r: Replicas;

  beforeAll(async () => {
    r = await replicas({ ...OFF, perTenant: 3 });
  });
  afterAll(async () => {
    await r?.close();
  });

  it("limits a tenant's credentials together and nothing else", async () => {
    const tenant = await createTenantViaApi(r.setup.app);
    const second = await newKey(r.setup, tenant.id, 'second');
    const keys = [tenant.initialApiKey.key, second, tenant.initialApiKey.key];
    for (const [i, key] of keys.entries()) {
      const res = await get(i % 2 === 0 ? r.a : r.b, `/api/v1/tenants/${tenant.id}`, bearer(key));
      expect(res.statusCode).toBe(200);
      expect(res.headers).toMatchObject({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': String(2 - i) });
    }
    const refused = expectProblem(await get(r.b, `/api/v1/tenants/${tenant.id}`, bearer(second)), 429, 'rate_limited');
    expect(refused.detail).toMatch(/^too many requests: the tenant of this credential may make 3 requests per minute; try again in \d+ s$/);
    // A platform admin belongs to no tenant: nothing to count, no headers.
    for (let i = 0; i < 5; i++) {
      const res = await get(r.a, `/api/v1/tenants/${tenant.id}`, adminAuth);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });
});

describe('a rate limit window', () => {
  let r: Replicas;

  beforeAll(async () => {
    r = await replicas({ ...OFF, perCredential: 3, windowMs: 2_000 });
  });
  afterAll(async () => {
    await r?.close();
  });

  it('lets requests through again once it has ended', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(i % 2 === 0 ? r.a : r.b, '/api/v1/auth/whoami', adminAuth)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await get(r.a, '/api/v1/auth/whoami', adminAuth);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const again = await get(r.b, '/api/v1/auth/whoami', adminAuth);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.headers['x-ratelimit-remaining']).toBe('2');
  });
});

describe('deletion confirmation codes', () => {
  let r: Replicas;
  const WINDOW_MS = 3_000;

  beforeAll(async () => {
    // Rate limits off: the login lockout is read on its own, the deletion lockout on its own.
    r = await replicas({ ...OFF, loginLockout: { failures: 3, windowMs: MINUTE }, deletionLockout: { failures: 3, windowMs: WINDOW_MS } });
  });
  afterAll(async () => {
    await r?.close();
  });

  const requestCode = async (app: FastifyInstance, tenantId: string) => {
    const res = await app.inject({ method: 'POST', url: `/api/v1/tenants/${tenantId}/deletion-requests`, headers: adminAuth });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ confirmationCode: string }>().confirmationCode;
  };
  const remove = (app: FastifyInstance, tenantId: string, code: string) =>
    app.inject({ method: 'DELETE', url: `/api/v1/tenants/${tenantId}`, headers: { ...adminAuth, 'x-confirmation-code': code } });

  it('locks the deletion after wrong codes on either replica, the right code too, until the window ends', async () => {
    const tenant = await activeTenant(r.setup);
    const code = await requestCode(r.a, tenant.id);
    for (const [i, app] of [r.a, r.b, r.a].entries()) {
      const res = await remove(app, tenant.id, `WRNG-C0DE-000${i}`);
      expectProblem(res, 400, 'validation_failed');
    }
    const locked = await remove(r.b, tenant.id, code);
    const problem = expectProblem(locked, 429, 'deletion_locked_out');
    expect(problem.detail).toMatch(/^3 wrong confirmation codes for this tenant within 3 s: its deletion is locked out, whatever the code; try again in \d s$/);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(3);
    // Nor is a new code issued meanwhile (it could expire before the lockout ends).
    expectProblem(await r.a.inject({ method: 'POST', url: `/api/v1/tenants/${tenant.id}/deletion-requests`, headers: adminAuth }), 429, 'deletion_locked_out');
    // Another tenant is not concerned.
    const other = await activeTenant(r.setup);
    expect((await remove(r.a, other.id, await requestCode(r.b, other.id))).statusCode).toBe(202);

    await new Promise((resolve) => setTimeout(resolve, Number(locked.headers['retry-after']) * 1000 + 100));
    const deleted = await remove(r.a, tenant.id, code);
    expect(deleted.statusCode, deleted.body).toBe(202);
  });

  it('does not count a used code as a wrong one', async () => {
    const tenant = await activeTenant(r.setup);
    const code = await requestCode(r.a, tenant.id);
    expect((await remove(r.a, tenant.id, code)).statusCode).toBe(202);
    // The same request again answers with the deletion under way, as often as it is sent.
    for (let i = 0; i < 4; i++) expect((await remove(i % 2 === 0 ? r.b : r.a, tenant.id, code)).statusCode).toBe(202);
  });

  it('locks refused credentials out with rate limits off, on both replicas', async () => {
    const tenant = await createTenantViaApi(r.setup.app);
    const address = '203.0.113.5';
    for (const app of [r.a, r.b, r.a]) expectProblem(await get(app, '/api/v1/auth/whoami', bearer('made-up'), address), 401, 'unauthenticated');
    expectProblem(await get(r.b, '/api/v1/auth/whoami', bearer('made-up'), address), 429, 'login_locked_out');
    expect((await get(r.b, `/api/v1/tenants/${tenant.id}`, bearer(tenant.initialApiKey.key), address)).statusCode).toBe(200);
    expectProblem(await get(r.a, '/api/v1/auth/whoami', bearer('made-up'), '203.0.113.6'), 401, 'unauthenticated');
  });
});

describe('limits at 0', () => {
  let r: Replicas;

  beforeAll(async () => {
    r = await replicas(OFF);
  });
  afterAll(async () => {
    await r?.close();
  });

  it('limit nothing and lock nothing out', async () => {
    const tenant = await activeTenant(r.setup);
    for (let i = 0; i < 30; i++) {
      const res = await get(i % 2 === 0 ? r.a : r.b, `/api/v1/tenants/${tenant.id}`, bearer(tenant.initialApiKey.key), '203.0.113.9');
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
    for (let i = 0; i < 15; i++) expectProblem(await get(r.a, '/api/v1/auth/whoami', bearer('made-up'), '203.0.113.9'), 401, 'unauthenticated');
    expect((await r.b.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: tenant.initialApiKey.key }, remoteAddress: '203.0.113.9' })).statusCode).toBe(200);
    const code = (await r.a.inject({ method: 'POST', url: `/api/v1/tenants/${tenant.id}/deletion-requests`, headers: adminAuth })).json<{ confirmationCode: string }>().confirmationCode;
    for (let i = 0; i < 8; i++) {
      const res = await r.b.inject({ method: 'DELETE', url: `/api/v1/tenants/${tenant.id}`, headers: { ...adminAuth, 'x-confirmation-code': `WRNG-C0DE-00${i}0` } });
      expect(res.statusCode).toBe(400);
    }
    expect((await r.a.inject({ method: 'DELETE', url: `/api/v1/tenants/${tenant.id}`, headers: { ...adminAuth, 'x-confirmation-code': code } })).statusCode).toBe(202);
  });
});

describe('sign-ins through a proxy and over WebSocket', () => {
  let r: Replicas;
  let base: string;

  beforeAll(async () => {
    r = await replicas({ ...OFF, perCredential: 100, loginLockout: { failures: 2, windowMs: MINUTE }, trustProxy: ['127.0.0.1'] });
    base = (await r.a.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws');
  });
  afterAll(async () => {
    await r?.close();
  });

  it('keys on the address a trusted proxy names in X-Forwarded-For', async () => {
    // The proxy (127.0.0.1, trusted) says which client it saw; an address further left, which the
    // client itself may have written, would not be believed (10.1.2.3 is not a trusted proxy).
    const from = (address: string, token: string) => ({ ...bearer(token), 'x-forwarded-for': `10.9.9.9, ${address}` });
    for (const app of [r.a, r.b]) expectProblem(await get(app, '/api/v1/auth/whoami', from('203.0.113.50', 'made-up')), 401, 'unauthenticated');
    expectProblem(await get(r.a, '/api/v1/auth/whoami', from('203.0.113.50', 'made-up')), 429, 'login_locked_out');
    expectProblem(await get(r.b, '/api/v1/auth/whoami', from('203.0.113.51', 'made-up')), 401, 'unauthenticated');
    // The address an untrusted peer names is not believed: it is the peer that counts.
    expectProblem(await get(r.a, '/api/v1/auth/whoami', from('203.0.113.50', 'made-up'), '192.0.2.99'), 401, 'unauthenticated');
  });

  it('counts refused WebSocket credentials, refuses them with 429 once locked out, and still lets a good one in', async () => {
    const tenant = await createTenantViaApi(r.setup.app);
    const open = (token: string) =>
      new Promise<{ closeCode?: number; status?: number }>((resolve, reject) => {
        const ws = new WebSocket(`${base}/ws/provisioning/${tenant.id}`, [], { headers: bearer(token) });
        ws.on('close', (code) => resolve({ closeCode: code }));
        ws.on('unexpected-response', (_request, response) => {
          resolve({ status: response.statusCode });
          response.resume();
          ws.terminate();
        });
        ws.on('message', () => ws.close());
        ws.on('error', reject);
      });
    expect(await open('made-up')).toEqual({ closeCode: 4401 });
    expect(await open('made-up-too')).toEqual({ closeCode: 4401 });
    expectProblem(await get(r.b, '/api/v1/auth/whoami', bearer('made-up-as-well')), 429, 'login_locked_out');
    // Over the socket a locked-out refusal says so: 4429, not the 4401 of a first refusal.
    expect(await open('made-up-again')).toEqual({ closeCode: 4429 });
    // Served: the stream's first message arrives, and the client closes (no status code: 1005).
    expect(await open(tenant.initialApiKey.key)).toEqual({ closeCode: 1005 });
  });
});
