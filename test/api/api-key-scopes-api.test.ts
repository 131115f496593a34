import { SignJWT, decodeJwt } from 'jose';
import { WebSocket } from 'ws';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedTenantResponse, type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp, tenantBody } from '../support/test-app.js';

/**
 * Scoped, expiring API keys (issue 16 item 9) through the API: keys made with scopes, listed with
 * them, refused outside them with 403 insufficient_scope naming the scope (the key itself and the
 * tokens exchanged for it), every scope of the role by default, bad scopes named, expiry honoured,
 * and platform-admin keys, which take scopes too.
 */

interface ApiKey {
  id: string;
  tenantId: string | null;
  name: string;
  role: string;
  scopes: string[];
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  key: string;
}
interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { field: string; message: string }[];
}

const ALL = ['read', 'create', 'update', 'suspend', 'delete', 'infrastructure', 'audit'];

function expectInsufficientScope(res: LightMyRequestResponse, scope: string): void {
  expect(res.statusCode, res.body).toBe(403);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json<Problem>()).toMatchObject({ status: 403, code: 'insufficient_scope', detail: `this API key lacks the \`${scope}\` scope` });
}

function expectFieldError(res: LightMyRequestResponse, field: string, message: RegExp): void {
  expect(res.statusCode, res.body).toBe(400);
  const problem = res.json<Problem>();
  expect(problem.code).toBe('validation_failed');
  expect(problem.errors?.map((e) => e.field)).toEqual([field]);
  expect(problem.errors?.[0]?.message).toMatch(message);
}

describe('scoped, expiring API keys', () => {
  let t: TestApp;
  let tenant: CreatedTenantResponse;

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenantViaApi(t.app);
  });
  afterAll(async () => {
    await t.close();
  });

  const send = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) =>
    t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const createTenantKey = (payload: Record<string, unknown>, headers: Record<string, string> = adminAuth) => send('POST', `/api/v1/tenants/${tenant.id}/api-keys`, headers, payload);
  const createPlatformKey = (payload: Record<string, unknown>, headers: Record<string, string> = adminAuth) => send('POST', '/api/v1/api-keys', headers, payload);
  const exchange = async (apiKey: string): Promise<string> => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ accessToken: string }>().accessToken;
  };

  it('creates a tenant key with scopes, answers and lists them; a key without scopes has every scope of its role', async () => {
    const created = await createTenantKey({ name: 'dashboards', role: 'Analyst', scopes: ['audit', 'read', 'audit'] }, bearer(tenant.initialApiKey.key));
    expect(created.statusCode, created.body).toBe(201);
    const key = created.json<ApiKey>();
    // In one order, each once.
    expect(key).toMatchObject({ role: 'Analyst', scopes: ['read', 'audit'], tenantId: tenant.id });

    const plain = (await createTenantKey({ name: 'plain', role: 'Admin' })).json<ApiKey>();
    expect(plain.scopes).toEqual(['read', 'create', 'update', 'delete', 'audit']);

    const list = await send('GET', `/api/v1/tenants/${tenant.id}/api-keys`, bearer(tenant.initialApiKey.key));
    expect(list.statusCode).toBe(200);
    const items = list.json<{ items: ApiKey[] }>().items;
    expect(items.find((k) => k.id === key.id)?.scopes).toEqual(['read', 'audit']);
    // The tenant's initial key, made without scopes (as every key before scopes existed): its role's.
    expect(items.find((k) => k.id === tenant.initialApiKey.id)?.scopes).toEqual(['read', 'create', 'update', 'delete', 'audit']);
    // Stored as null: every scope of the role, including scopes added later.
    const rows = await t.database.db.selectFrom('apiKeys').select(['id', 'scopes']).where('id', 'in', [plain.id, key.id]).execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, r.scopes]))).toEqual({ [plain.id]: null, [key.id]: ['read', 'audit'] });
  });

  it('refuses a key outside its scopes with 403 naming the scope, and lets it do what it has', async () => {
    const viewer = (await createTenantKey({ name: 'reader', role: 'Viewer', scopes: ['read'] })).json<ApiKey>();
    expect((await send('GET', `/api/v1/tenants/${tenant.id}`, bearer(viewer.key))).statusCode).toBe(200);
    expect((await send('GET', `/api/v1/tenants/${tenant.id}/settings`, bearer(viewer.key))).statusCode).toBe(200);
    expectInsufficientScope(await send('GET', `/api/v1/tenants/${tenant.id}/audit`, bearer(viewer.key)), 'audit');
    // The caller's own credential needs no scope.
    const who = await send('GET', '/api/v1/auth/whoami', bearer(viewer.key));
    expect(who.json()).toMatchObject({ role: 'Viewer', via: 'api_key', scopes: ['read'] });

    // An Admin key narrowed to reading cannot change what its role could.
    const admin = (await createTenantKey({ name: 'admin-read', role: 'Admin', scopes: ['read', 'audit'] })).json<ApiKey>();
    expectInsufficientScope(await send('PATCH', `/api/v1/tenants/${tenant.id}/features`, { ...bearer(admin.key), 'if-match': '"1"' }, { 'ai.chat': false }), 'update');
    expectInsufficientScope(await createTenantKey({ name: 'more', role: 'Viewer' }, bearer(admin.key)), 'create');
    expectInsufficientScope(await send('DELETE', `/api/v1/tenants/${tenant.id}/api-keys/${viewer.id}`, bearer(admin.key)), 'delete');
    expect((await send('GET', `/api/v1/tenants/${tenant.id}/audit`, bearer(admin.key))).statusCode).toBe(200);
  });

  it("a scope never widens the role: the role's refusal stands, and a scope the role cannot use is refused at creation", async () => {
    // A Viewer key cannot have `update`: the role does not allow it (400 naming scopes).
    expectFieldError(await createTenantKey({ name: 'x', role: 'Viewer', scopes: ['read', 'update'] }), 'scopes', /the Viewer role does not allow the update scope; it allows read, audit/);
    // A tenant Admin key with every scope of its role still cannot suspend: its role says no (403 forbidden, not a scope).
    const res = await send('POST', `/api/v1/tenants/${tenant.id}/suspend`, bearer(tenant.initialApiKey.key));
    expect(res.statusCode).toBe(403);
    expect(res.json<Problem>().code).toBe('forbidden');
  });

  it('names the field for a bad scope: unknown, empty, not a list', async () => {
    expectFieldError(await createTenantKey({ name: 'x', role: 'Viewer', scopes: ['read', 'frobnicate'] }), 'scopes', /unknown scope "frobnicate": must be one of read, create, update, suspend, delete, infrastructure, audit/);
    expectFieldError(await createPlatformKey({ name: 'x', scopes: ['Read'] }), 'scopes', /unknown scope "Read"/);
    expectFieldError(await createPlatformKey({ name: 'x', scopes: [] }), 'scopes', /give at least one scope, or leave scopes out for every scope the role allows/);
    expectFieldError(await createPlatformKey({ name: 'x', scopes: 'read' }), 'scopes', /must be array/);
  });

  it('takes a JWT exchanged for a scoped key as the key: its scopes, read from the key on every request', async () => {
    const ci = (await createPlatformKey({ name: 'ci', scopes: ['read', 'create'] })).json<ApiKey>();
    const token = await exchange(ci.key);
    // The token carries the scopes for clients to read...
    expect(decodeJwt(token)).toMatchObject({ role: 'platform_admin', scope: 'read create' });
    expect((await send('GET', '/api/v1/auth/whoami', bearer(token))).json()).toMatchObject({ via: 'jwt', scopes: ['read', 'create'] });
    const made = await send('POST', '/api/v1/tenants', bearer(token), tenantBody());
    expect(made.statusCode, made.body).toBe(201);
    const madeId = made.json<{ id: string }>().id;
    expectInsufficientScope(await send('POST', `/api/v1/tenants/${madeId}/suspend`, bearer(token)), 'suspend');
    expectInsufficientScope(await send('POST', `/api/v1/tenants/${madeId}/deletion-requests`, bearer(token)), 'delete');
    expectInsufficientScope(await send('PATCH', `/api/v1/tenants/${madeId}`, bearer(token), { tier: 'FREE' }), 'update');

    // ...but the authenticator does not trust them: a token signed with the real key claiming every scope is still the key's.
    const signer = await t.signingKeys.signing();
    const forged = await new SignJWT({ ...decodeJwt(token), scope: ALL.join(' '), jti: 'forged-scopes' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: signer.kid })
      .sign(signer.key);
    expectInsufficientScope(await send('POST', `/api/v1/tenants/${madeId}/suspend`, bearer(forged)), 'suspend');

    // A key without scopes makes a token without the claim: every scope of its role.
    const plainToken = await exchange(tenant.initialApiKey.key);
    expect(decodeJwt(plainToken).scope).toBeUndefined();
    expect((await send('GET', '/api/v1/auth/whoami', bearer(plainToken))).json()).toMatchObject({ scopes: ['read', 'create', 'update', 'delete', 'audit'] });
  });

  it('scopes the infrastructure API and the provisioning jobs with `infrastructure`', async () => {
    const reader = (await createPlatformKey({ name: 'reader', scopes: ['read'] })).json<ApiKey>();
    const infra = (method: 'GET' | 'PUT', payload?: Record<string, unknown>) =>
      t.infra.inject({ method, url: `/api/v1/infrastructure/tenants/${tenant.id}`, headers: bearer(reader.key), ...(payload ? { payload } : {}) });
    expect((await infra('GET')).statusCode).toBe(200);
    expectInsufficientScope(await infra('PUT', { configuration: { storageGb: 20 } }), 'infrastructure');
    expectInsufficientScope(await send('POST', `/api/v1/tenants/${tenant.id}/provisioning/cancel`, bearer(reader.key)), 'infrastructure');
  });

  it('platform-admin keys: created, listed and revoked by platform admins, scoped too; a narrowed key cannot make a wider one', async () => {
    const plain = await createPlatformKey({ name: 'automation' });
    expect(plain.statusCode, plain.body).toBe(201);
    expect(plain.headers['cache-control']).toBe('no-store');
    const full = plain.json<ApiKey>();
    expect(full).toMatchObject({ tenantId: null, role: 'platform_admin', scopes: ALL, createdBy: 'bootstrap' });
    expect((await send('GET', '/api/v1/auth/whoami', bearer(full.key))).json()).toMatchObject({ role: 'platform_admin', tenantId: null, via: 'api_key' });

    const ci = (await createPlatformKey({ name: 'ci', scopes: ['create'] })).json<ApiKey>();
    expectInsufficientScope(await send('GET', '/api/v1/tenants', bearer(ci.key)), 'read');
    // It may make keys, only as narrow as itself: by default it passes its own scopes on.
    expectInsufficientScope(await createPlatformKey({ name: 'wider', scopes: ['create', 'delete'] }, bearer(ci.key)), 'delete');
    const child = await createPlatformKey({ name: 'child' }, bearer(ci.key));
    expect(child.statusCode, child.body).toBe(201);
    expect(child.json<ApiKey>()).toMatchObject({ scopes: ['create'], createdBy: `api-key:${ci.id}` });
    // A Viewer key for a tenant needs read or audit, which the CI key lacks.
    expectInsufficientScope(await createTenantKey({ name: 'v', role: 'Viewer' }, bearer(ci.key)), 'read');

    // Listed (platform keys only, never a secret); tenant keys are not platform keys.
    const list = await send('GET', '/api/v1/api-keys', adminAuth);
    expect(list.statusCode).toBe(200);
    const items = list.json<{ items: ApiKey[] }>().items;
    expect(items.map((k) => k.id)).toEqual(expect.arrayContaining([full.id, ci.id]));
    expect(items.every((k) => k.tenantId === null && k.role === 'platform_admin')).toBe(true);
    expect(list.body).not.toContain(ci.key.slice(-43));
    expect((await send('GET', '/api/v1/api-keys', bearer(tenant.initialApiKey.key))).statusCode).toBe(403);
    expect((await createPlatformKey({ name: 'nope' }, bearer(tenant.initialApiKey.key))).statusCode).toBe(403);

    // Revoked: by a key with `delete`, not by one without; the key and its tokens stop.
    const token = await exchange(ci.key);
    expectInsufficientScope(await send('DELETE', `/api/v1/api-keys/${ci.id}`, bearer(ci.key)), 'delete');
    expect((await send('DELETE', `/api/v1/api-keys/${tenant.initialApiKey.id}`, adminAuth)).statusCode).toBe(404);
    const revoked = await send('DELETE', `/api/v1/api-keys/${ci.id}`, bearer(full.key));
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json<ApiKey>().revokedAt).not.toBeNull();
    for (const credential of [ci.key, token]) expect((await send('GET', '/api/v1/auth/whoami', bearer(credential))).statusCode).toBe(401);
  });

  it('honours the expiry: the key and the tokens exchanged for it stop when it expires; use is recorded', async () => {
    const created = (await createPlatformKey({ name: 'short', scopes: ['read'], expiresInDays: 1 })).json<ApiKey>();
    const expiresIn = new Date(created.expiresAt ?? 0).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(86_400_000 - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(86_400_000);
    expect(created.lastUsedAt).toBeNull();

    const token = await exchange(created.key);
    expect((await send('GET', '/api/v1/tenants', bearer(token))).statusCode).toBe(200);
    const listed = (await send('GET', '/api/v1/api-keys', adminAuth)).json<{ items: ApiKey[] }>().items.find((k) => k.id === created.id);
    expect(listed?.lastUsedAt).not.toBeNull();

    // The day passes.
    await t.database.db.updateTable('apiKeys').set({ expiresAt: new Date(Date.now() - 1000) }).where('id', '=', created.id).execute();
    for (const credential of [created.key, token]) {
      const res = await send('GET', '/api/v1/tenants', bearer(credential));
      expect(res.statusCode).toBe(401);
      expect(res.json<Problem>()).toMatchObject({ code: 'unauthenticated', detail: 'the API key has expired' });
    }
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: created.key } })).statusCode).toBe(401);
    expectFieldError(await createPlatformKey({ name: 'x', expiresInDays: 0 }), 'expiresInDays', /must be >= 1/);
  });

  it('scopes the progress WebSocket with `read`', async () => {
    const auditor = (await createTenantKey({ name: 'auditor', role: 'Viewer', scopes: ['audit'] })).json<ApiKey>();
    const base = (await t.app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws');
    const open = (key: string) =>
      new Promise<{ first: { type: string; message?: string }; code: number }>((resolve) => {
        const ws = new WebSocket(`${base}/ws/provisioning/${tenant.id}`, [], { headers: bearer(key) });
        let first: { type: string; message?: string } | undefined;
        ws.on('message', (data: Buffer) => {
          first ??= JSON.parse(data.toString()) as { type: string };
          if (first.type === 'status') ws.close();
        });
        ws.on('close', (code) => resolve({ first: first ?? { type: 'none' }, code }));
      });
    const refused = await open(auditor.key);
    expect(refused.first).toMatchObject({ type: 'error', code: 'insufficient_scope', message: 'this API key lacks the `read` scope' });
    // A refusal of the credential's rights, as 403 is over HTTP: not a server failure (1011).
    expect(refused.code).toBe(4403);
    expect((await open(tenant.initialApiKey.key)).first.type).toBe('status');
  });

  it('documents the scopes in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    expect(Object.keys(doc.paths['/api/v1/api-keys'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(JSON.stringify(doc.paths['/api/v1/tenants/{id}/api-keys'])).toContain('"scopes"');
  });
});
