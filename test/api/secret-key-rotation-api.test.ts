import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJobEnd } from '../support/provisioning.js';
import { type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp } from '../support/test-app.js';

/** /api/v1/admin/secret-key/rotation over the test app: who may call it, and what it answers when nothing needs the new key. */

const PATH = '/api/v1/admin/secret-key/rotation';

describe('secret-key rotation API', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ engine: {} });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is for platform admins only, and a key with scopes needs update to rotate', async () => {
    const tenant = await createTenantViaApi(t.app);
    await waitForJobEnd(t.app, tenant.id);
    for (const method of ['GET', 'POST'] as const) {
      expect((await t.app.inject({ method, url: PATH })).statusCode).toBe(401);
      expect((await t.app.inject({ method, url: PATH, headers: bearer(tenant.initialApiKey.key) })).statusCode).toBe(403);
    }
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: adminAuth, payload: { name: 'reader', scopes: ['read'] } });
    expect(created.statusCode).toBe(201);
    const reader = bearer(created.json<{ key: string }>().key);
    expect((await t.app.inject({ method: 'GET', url: PATH, headers: reader })).statusCode).toBe(200);
    const refused = await t.app.inject({ method: 'POST', url: PATH, headers: reader });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'insufficient_scope' });
  });

  it('counts the sealed values (the JWT key, the tenant login twice) and finds nothing to re-seal under one key', async () => {
    const status = await t.app.inject({ method: 'GET', url: PATH, headers: adminAuth });
    expect(status.statusCode).toBe(200);
    expect(status.headers['cache-control']).toBe('no-store');
    const census = status.json<{ current: number; previous: number; unreadable: number; unreadableValues: string[]; previousKeys: number; safeToDropPrevious: boolean }>();
    expect(census).toMatchObject({ previous: 0, unreadable: 0, unreadableValues: [], previousKeys: 0, safeToDropPrevious: true });
    expect(census.current).toBeGreaterThanOrEqual(3);
    const rotated = await t.app.inject({ method: 'POST', url: PATH, headers: adminAuth });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json()).toEqual({ resealed: 0, alreadyCurrent: census.current, unreadable: 0, unreadableValues: [], remaining: 0, passes: 1, previousKeys: 0, safeToDropPrevious: true });
  });
});
