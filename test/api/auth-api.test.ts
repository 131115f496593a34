import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedTenantResponse, type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp } from '../support/test-app.js';

interface TokenBody {
  accessToken: string;
  tokenType: string;
  expiresIn: number;
}
interface Problem {
  status: number;
  code: string;
  errors?: { field: string }[];
}

describe('authentication and API keys', () => {
  let t: TestApp;
  let tenant: CreatedTenantResponse;

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenantViaApi(t.app);
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });
  const exchange = async (apiKey: string) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey } });
    return res;
  };

  it('exchanges an API key for a JWT that acts with the key\'s role and tenant', async () => {
    const res = await exchange(tenant.initialApiKey.key);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json<TokenBody>();
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const who = await get('/api/v1/auth/whoami', bearer(body.accessToken));
    expect(who.json()).toMatchObject({ role: 'Admin', tenantId: tenant.id, via: 'jwt' });
    expect((await get(`/api/v1/tenants/${tenant.id}`, bearer(body.accessToken))).statusCode).toBe(200);
  });

  it("takes a token's role and tenant from its API key: claims signed with the real key but naming another role or tenant are refused", async () => {
    const { accessToken } = (await exchange(tenant.initialApiKey.key)).json<TokenBody>();
    const genuine = decodeJwt(accessToken);
    // Whoever holds the signing key (it leaked, or an insider) makes a token for a tenant Admin
    // key that claims to be a platform admin: the key's row says Admin of that tenant.
    const signer = await t.signingKeys.signing();
    const forge = (claims: Record<string, unknown>) =>
      new SignJWT({ ...genuine, ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: signer.kid }).sign(signer.key);
    const asAdmin = await forge({ role: 'platform_admin', tid: null, jti: 'forged-1' });
    const refused = await get('/api/v1/system/status', bearer(asAdmin));
    expect(refused.statusCode).toBe(401);
    expect(refused.json<Problem>().code).toBe('unauthenticated');
    const other = await createTenantViaApi(t.app);
    const elsewhere = await forge({ tid: other.id, jti: 'forged-2' });
    expect((await get(`/api/v1/tenants/${other.id}`, bearer(elsewhere))).statusCode).toBe(401);
    // The same claims as issued still work: the forge itself is not what is refused.
    expect((await get(`/api/v1/tenants/${tenant.id}`, bearer(await forge({ jti: 'same-claims' })))).statusCode).toBe(200);
  });

  it('rotates the signing key on request: tokens of the old key keep working, or with endIssuedTokens none does', async () => {
    const { accessToken: before } = (await exchange(tenant.initialApiKey.key)).json<TokenBody>();
    const rotate = (payload?: Record<string, unknown>, headers = adminAuth) =>
      t.app.inject({ method: 'POST', url: '/api/v1/auth/signing-keys/rotate', headers, ...(payload ? { payload } : {}) });
    expect((await rotate(undefined, bearer(tenant.initialApiKey.key))).statusCode).toBe(403);
    const rotated = await rotate();
    expect(rotated.statusCode).toBe(200);
    const { kid, endedIssuedTokens } = rotated.json<{ kid: string; endedIssuedTokens: boolean }>();
    expect(endedIssuedTokens).toBe(false);
    const { accessToken: after } = (await exchange(tenant.initialApiKey.key)).json<TokenBody>();
    expect(decodeProtectedHeader(after).kid).toBe(kid);
    for (const token of [before, after]) expect((await get(`/api/v1/tenants/${tenant.id}`, bearer(token))).statusCode).toBe(200);

    expect((await rotate({ endIssuedTokens: true })).json<{ endedIssuedTokens: boolean }>().endedIssuedTokens).toBe(true);
    for (const token of [before, after]) expect((await get(`/api/v1/tenants/${tenant.id}`, bearer(token))).statusCode).toBe(401);
    const { accessToken: fresh } = (await exchange(tenant.initialApiKey.key)).json<TokenBody>();
    expect((await get(`/api/v1/tenants/${tenant.id}`, bearer(fresh))).statusCode).toBe(200);
    const bad = await rotate({ endIssuedTokens: 'yes' });
    expect(bad.statusCode).toBe(400);
  });

  it('refuses to exchange anything but a valid API key', async () => {
    for (const apiKey of ['not-a-key', `mtk_${'0'.repeat(32)}_${'a'.repeat(43)}`]) {
      const res = await exchange(apiKey);
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: {} })).statusCode).toBe(400);
  });

  it('a tampered key secret is refused', async () => {
    const key = tenant.initialApiKey.key;
    const tampered = `${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`;
    expect((await get('/api/v1/auth/whoami', bearer(tampered))).statusCode).toBe(401);
  });

  it('a revoked access token is refused from then on, others are not', async () => {
    const a = (await exchange(tenant.initialApiKey.key)).json<TokenBody>().accessToken;
    const b = (await exchange(tenant.initialApiKey.key)).json<TokenBody>().accessToken;
    const revoke = await t.app.inject({ method: 'POST', url: '/api/v1/auth/revoke', headers: bearer(a) });
    expect(revoke.statusCode).toBe(204);
    const refused = await get('/api/v1/auth/whoami', bearer(a));
    expect(refused.statusCode).toBe(401);
    expect(refused.json<Problem>().code).toBe('unauthenticated');
    expect((await get('/api/v1/auth/whoami', bearer(b))).statusCode).toBe(200);
  });

  it('a platform admin can revoke any token; a tenant cannot revoke another tenant\'s', async () => {
    const other = await createTenantViaApi(t.app);
    const otherToken = (await exchange(other.initialApiKey.key)).json<TokenBody>().accessToken;
    const mine = (await exchange(tenant.initialApiKey.key)).json<TokenBody>().accessToken;
    const denied = await t.app.inject({ method: 'POST', url: '/api/v1/auth/revoke', headers: bearer(mine), payload: { token: otherToken } });
    expect(denied.statusCode).toBe(403);
    expect((await get('/api/v1/auth/whoami', bearer(otherToken))).statusCode).toBe(200);
    const done = await t.app.inject({ method: 'POST', url: '/api/v1/auth/revoke', headers: adminAuth, payload: { token: otherToken } });
    expect(done.statusCode).toBe(204);
    expect((await get('/api/v1/auth/whoami', bearer(otherToken))).statusCode).toBe(401);
  });

  it('creates keys per role, lists them without secrets, and revoking a key ends it and its tokens', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenant.id}/api-keys`,
      headers: bearer(tenant.initialApiKey.key),
      payload: { name: 'ci', role: 'Viewer', expiresInDays: 30 },
    });
    expect(created.statusCode).toBe(201);
    const key = created.json<{ id: string; key: string; role: string; expiresAt: string }>();
    expect(key.role).toBe('Viewer');
    expect(new Date(key.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const token = (await exchange(key.key)).json<TokenBody>().accessToken;

    const list = await get(`/api/v1/tenants/${tenant.id}/api-keys`, bearer(tenant.initialApiKey.key));
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(key.key.slice(-43));
    expect(list.body).not.toContain('secretHash');
    expect(list.json<{ items: { id: string }[] }>().items.map((k) => k.id)).toContain(key.id);

    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/v1/tenants/${tenant.id}/api-keys/${key.id}`, headers: adminAuth });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json<{ revokedAt: string | null }>().revokedAt).not.toBeNull();
    expect((await get('/api/v1/auth/whoami', bearer(key.key))).statusCode).toBe(401);
    expect((await get('/api/v1/auth/whoami', bearer(token))).statusCode).toBe(401);
  });

  it('enforces role permissions: a Viewer reads but cannot change settings or make keys', async () => {
    const viewer = (
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/tenants/${tenant.id}/api-keys`,
        headers: adminAuth,
        payload: { name: 'viewer', role: 'Viewer' },
      })
    ).json<{ key: string }>().key;
    expect((await get(`/api/v1/tenants/${tenant.id}/settings`, bearer(viewer))).statusCode).toBe(200);
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tenants/${tenant.id}/settings`,
      headers: bearer(viewer),
      payload: { timezone: 'UTC' },
    });
    expect(patch.statusCode).toBe(403);
    const makeKey = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenant.id}/api-keys`,
      headers: bearer(viewer),
      payload: { name: 'escalate', role: 'Admin' },
    });
    expect(makeKey.statusCode).toBe(403);
  });

  it('rejects an unknown role for a new key, naming the field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenant.id}/api-keys`,
      headers: adminAuth,
      payload: { name: 'x', role: 'platform_admin' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<Problem>().errors?.[0]?.field).toBe('role');
  });

  it('accepts the bootstrap token as platform admin and refuses a malformed header', async () => {
    expect((await get('/api/v1/auth/whoami', adminAuth)).json()).toMatchObject({ role: 'platform_admin', tenantId: null, via: 'bootstrap' });
    expect((await get('/api/v1/auth/whoami', { authorization: 'Basic abc' })).statusCode).toBe(401);
    expect((await get('/api/v1/auth/whoami', { authorization: 'Bearer' })).statusCode).toBe(401);
  });
});
