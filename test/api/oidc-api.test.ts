import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcVerifier, type OidcOptions } from '../../src/iam/oidc-verifier.js';
import { type TestOidcProvider, authorizeHeadless, obtainTokens, pkcePair, startOidcProvider } from '../support/oidc-provider.js';
import { waitForJobEnd } from '../support/provisioning.js';
import { freePort } from '../support/service-process.js';
import { type CreatedTenantResponse, type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp } from '../support/test-app.js';

/**
 * Bearer tokens from an OpenID Provider on the API, against a real one (oidc-provider, in
 * process): its JWT access tokens for this API's audience work with the role their groups map
 * to; tokens of another issuer, for another audience, ID tokens and expired ones are 401; a token
 * whose claims map to no role is 403; a suspended tenant's users are refused. Also the sign-in
 * routes the dashboard and matihctl use (configuration, the code and refresh exchanges).
 */

const AUDIENCE = 'https://api.matih.test';
const OTHER_AUDIENCE = 'https://other-api.example';
const REDIRECT = 'http://127.0.0.1:9/callback';
const CLIENT_SECRET = 'confidential-client-secret-0123456789';

interface Problem {
  status: number;
  code: string;
  detail: string;
}
interface WhoAmI {
  actor: string;
  role: string;
  tenantId: string | null;
  via: string;
  email?: string;
}

describe('OIDC bearer tokens and sign-in, against a real OpenID Provider', () => {
  let op: TestOidcProvider;
  let otherOp: TestOidcProvider;
  let t: TestApp;
  let acme: CreatedTenantResponse;
  let globex: CreatedTenantResponse;
  let options: OidcOptions;
  const users = {
    admin: { sub: 'alice', email: 'alice@matih.example', groups: ['staff', 'matih-admins'] },
    acmeAdmin: { sub: 'bob', email: 'bob@acme.example', groups: ['matih-tenant-admins', 'matih-viewers'] },
    acmeAnalyst: { sub: 'carol', groups: ['matih-analysts'] },
    nobody: { sub: 'dave', groups: ['staff'] },
    noTenant: { sub: 'erin', groups: ['matih-viewers'] },
    ghostTenant: { sub: 'frank', groups: ['matih-viewers'], tenant: '00000000-0000-7000-8000-000000000000' },
  };

  beforeAll(async () => {
    // The service before the provider's users: tenant ids go into the users' claims.
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    options = {
      issuer,
      audience: AUDIENCE,
      groupsClaim: 'groups',
      tenantClaim: 'matih_tenant',
      adminGroups: ['matih-admins'],
      roleGroups: [
        { role: 'Admin', group: 'matih-tenant-admins' },
        { role: 'Analyst', group: 'matih-analysts' },
        { role: 'Viewer', group: 'matih-viewers' },
      ],
      clockSkewSeconds: 30,
      clientId: 'matih-dashboard',
      clientSecret: CLIENT_SECRET,
      cliClientId: 'matih-cli',
      scopes: ['openid', 'profile', 'email'],
      resourceIndicator: true,
    };
    t = await startTestApp({ engine: {}, oidc: options });
    acme = await createTenantViaApi(t.app);
    globex = await createTenantViaApi(t.app);
    const tenantUsers = [
      { ...users.acmeAdmin, tenant: acme.id },
      { ...users.acmeAnalyst, tenant: acme.id },
    ];
    op = await startOidcProvider({
      port,
      resources: [AUDIENCE, OTHER_AUDIENCE],
      users: [users.admin, users.nobody, users.noTenant, users.ghostTenant, ...tenantUsers],
      clients: [
        // The dashboard as a confidential client: the service relays its code exchange with the secret.
        { client_id: 'matih-dashboard', client_secret: CLIENT_SECRET, token_endpoint_auth_method: 'client_secret_basic', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] },
        { client_id: 'matih-cli', application_type: 'native', token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1/callback'], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] },
        { client_id: 'test-client', token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT], grant_types: ['authorization_code'], response_types: ['code'] },
      ],
    });
    // Another provider, with keys of its own, that knows the same users and the same audience.
    otherOp = await startOidcProvider({
      resources: [AUDIENCE],
      users: [users.admin],
      clients: [{ client_id: 'test-client', token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT], grant_types: ['authorization_code'], response_types: ['code'] }],
    });
    for (const tenant of [acme, globex]) expect((await waitForJobEnd(t.app, tenant.id)).job.status).toBe('SUCCEEDED');
  }, 90_000);

  afterAll(async () => {
    await t?.close();
    await op?.close();
    await otherOp?.close();
  });

  const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: bearer(token) });
  const tokenFor = async (login: string, provider: TestOidcProvider = op, resource = AUDIENCE) =>
    (await obtainTokens(provider, { clientId: 'test-client', redirectUri: REDIRECT, login, resource })).access_token;
  const expectRefused = async (token: string, status: number, detail: RegExp, url = '/api/v1/auth/whoami') => {
    const res = await get(url, token);
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json<Problem>().code).toBe(status === 401 ? 'unauthenticated' : 'forbidden');
    expect(res.json<Problem>().detail).toMatch(detail);
  };

  it('accepts a JWT access token from the provider: an admin group makes a platform admin, named oidc:<sub>', async () => {
    const token = await tokenFor('alice');
    // What the provider issued: a JWT access token for this API, signed with its published key.
    expect(decodeJwt(token)).toMatchObject({ iss: op.issuer, aud: AUDIENCE, sub: 'alice', groups: ['staff', 'matih-admins'] });
    const who = await get('/api/v1/auth/whoami', token);
    expect(who.statusCode).toBe(200);
    expect(who.json<WhoAmI>()).toMatchObject({ actor: 'oidc:alice', role: 'platform_admin', tenantId: null, via: 'oidc', email: 'alice@matih.example' });
    expect((await get('/api/v1/system/status', token)).statusCode).toBe(200);
    // What it does is recorded under the provider's subject.
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: bearer(token),
      payload: { name: 'Made by SSO', slug: `sso-${Date.now().toString(36)}`, tier: 'FREE', adminEmail: 'admin@sso.example', cloudProvider: 'AZURE', region: 'eastus' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const audit = await get(`/api/v1/tenants/${created.json<{ id: string }>().id}/audit`, token);
    expect(audit.json<{ items: { actor: string }[] }>().items[0]?.actor).toBe('oidc:alice');
  });

  it("gives a tenant group with the tenant claim that tenant's role there, and nothing elsewhere", async () => {
    const admin = await tokenFor('bob');
    // In the Admin and the Viewer groups: the higher role.
    expect((await get('/api/v1/auth/whoami', admin)).json<WhoAmI>()).toMatchObject({ actor: 'oidc:bob', role: 'Admin', tenantId: acme.id, via: 'oidc' });
    expect((await get(`/api/v1/tenants/${acme.id}`, admin)).statusCode).toBe(200);
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tenants/${acme.id}/settings`,
      headers: { ...bearer(admin), 'content-type': 'application/merge-patch+json' },
      payload: { timezone: 'Europe/Berlin' },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    // Another tenant does not exist for it; platform routes are not its.
    expect((await get(`/api/v1/tenants/${globex.id}`, admin)).statusCode).toBe(404);
    expect((await get('/api/v1/system/status', admin)).statusCode).toBe(403);
    const list = await get('/api/v1/tenants', admin);
    expect(list.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toEqual([acme.id]);

    const analyst = await tokenFor('carol');
    expect((await get('/api/v1/auth/whoami', analyst)).json<WhoAmI>()).toMatchObject({ role: 'Analyst', tenantId: acme.id });
    expect((await get(`/api/v1/tenants/${acme.id}/settings`, analyst)).statusCode).toBe(200);
    const refused = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tenants/${acme.id}/settings`,
      headers: { ...bearer(analyst), 'content-type': 'application/merge-patch+json' },
      payload: { timezone: 'UTC' },
    });
    expect(refused.statusCode).toBe(403);
  });

  it('refuses with 403 a good token whose claims map to no role here', async () => {
    await expectRefused(await tokenFor('dave'), 403, /groups claim holds no group that has a role here/);
    await expectRefused(await tokenFor('erin'), 403, /matih_tenant claim holds no tenant id/);
    await expectRefused(await tokenFor('frank'), 403, /names tenant 00000000-0000-7000-8000-000000000000, which does not exist/);
  });

  it('refuses with 401 a token from another issuer, for another audience, an ID token, or expired', async () => {
    // Another provider, the same user and audience: its own issuer, which this service does not trust.
    const foreign = await tokenFor('alice', otherOp);
    expect(decodeJwt(foreign)).toMatchObject({ aud: AUDIENCE, sub: 'alice' });
    await expectRefused(foreign, 401, /not valid/);
    // The other provider claiming to be ours: signed with a key ours does not publish.
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: op.issuer, aud: AUDIENCE, sub: 'alice', groups: ['matih-admins'], iat: now, exp: now + 300 };
    await expectRefused(await otherOp.sign(claims), 401, /key its issuer does not publish/);
    // Ours, for another API.
    const elsewhere = await tokenFor('alice', op, OTHER_AUDIENCE);
    expect(decodeJwt(elsewhere).aud).toBe(OTHER_AUDIENCE);
    await expectRefused(elsewhere, 401, /not meant for this API/);
    // An ID token names the client as its audience: it says who the user is to the client, not what the API may do.
    const { id_token: idToken } = await obtainTokens(op, { clientId: 'test-client', redirectUri: REDIRECT, login: 'alice', resource: AUDIENCE });
    await expectRefused(idToken ?? '', 401, /not meant for this API/);
    // Expired two minutes ago (past the 30 s clock skew), or not valid for two more minutes.
    await expectRefused(await op.sign({ ...claims, iat: now - 600, exp: now - 120 }), 401, /expired/);
    await expectRefused(await op.sign({ ...claims, nbf: now + 120 }), 401, /not valid yet/);
    // Within the skew: accepted (the provider's clock may be a little ahead or behind).
    expect((await get('/api/v1/auth/whoami', await op.sign({ ...claims, exp: now - 10 }))).statusCode).toBe(200);
    // Unsigned, or signed with a secret, whatever the claims.
    const [header, payload] = (await op.sign(claims)).split('.');
    await expectRefused(`${header}.${payload}.`, 401, /not valid/);
  });

  it("refuses a suspended tenant's users, and a suspension ends the tokens issued before it", async () => {
    const before = await tokenFor('bob');
    expect((await get(`/api/v1/tenants/${acme.id}`, before)).statusCode).toBe(200);
    const suspended = await t.app.inject({ method: 'POST', url: `/api/v1/tenants/${acme.id}/suspend`, headers: adminAuth, payload: { reason: 'unpaid' } });
    expect(suspended.statusCode, suspended.body).toBeLessThan(300);
    await expectRefused(before, 401, /the tenant is suspended/);
    await expectRefused(await tokenFor('bob'), 401, /the tenant is suspended/);
    await waitForJobEnd(t.app, acme.id);
    // Tokens carry whole seconds: one issued in the second of the suspension counts as before it.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const reactivated = await t.app.inject({ method: 'POST', url: `/api/v1/tenants/${acme.id}/reactivate`, headers: adminAuth });
    expect(reactivated.statusCode, reactivated.body).toBeLessThan(300);
    await waitForJobEnd(t.app, acme.id);
    await expectRefused(before, 401, /revoked/);
    expect((await get(`/api/v1/tenants/${acme.id}`, await tokenFor('bob'))).statusCode).toBe(200);
  }, 60_000);

  it('revokes a token of the provider at this service (POST /api/v1/auth/revoke)', async () => {
    const token = await tokenFor('carol');
    expect((await get('/api/v1/auth/whoami', token)).statusCode).toBe(200);
    const revoke = await t.app.inject({ method: 'POST', url: '/api/v1/auth/revoke', headers: bearer(token) });
    expect(revoke.statusCode, revoke.body).toBe(204);
    await expectRefused(token, 401, /revoked/);
  });

  it('tells clients how to sign in, and relays the code (with the client secret) and refresh exchanges', async () => {
    const config = await t.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/config' });
    expect(config.statusCode).toBe(200);
    const c = config.json<{ authorizationEndpoint: string; clientId: string; cliClientId: string; scopes: string[]; resource: string; offlineAccess: boolean }>();
    expect(c).toMatchObject({ issuer: op.issuer, clientId: 'matih-dashboard', cliClientId: 'matih-cli', audience: AUDIENCE, resource: AUDIENCE, offlineAccess: true, scopes: ['openid', 'profile', 'email'] });
    expect(JSON.stringify(c)).not.toContain(CLIENT_SECRET);

    // The authorization request as the dashboard makes it; the code comes back to its redirect URI.
    const { verifier, challenge } = pkcePair();
    const auth = new URL(c.authorizationEndpoint);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: c.clientId, redirect_uri: REDIRECT, scope: c.scopes.join(' '), state: 's1', code_challenge: challenge, code_challenge_method: 'S256', resource: c.resource })) {
      auth.searchParams.set(k, v);
    }
    const back = await authorizeHeadless(auth.href, 'alice');
    expect(back.searchParams.get('state')).toBe('s1');
    const code = back.searchParams.get('code') ?? '';
    const exchange = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/token', payload });

    // Without the verifier the exchange is refused before the provider is asked; with a wrong one, by the provider.
    const noVerifier = await exchange({ grantType: 'authorization_code', clientId: c.clientId, code, redirectUri: REDIRECT });
    expect(noVerifier.statusCode).toBe(400);
    expect(noVerifier.json<Problem>().code).toBe('validation_failed');
    const wrongVerifier = await exchange({ grantType: 'authorization_code', clientId: c.clientId, code, redirectUri: REDIRECT, codeVerifier: pkcePair().verifier });
    expect(wrongVerifier.statusCode).toBe(400);
    expect(wrongVerifier.json<Problem>()).toMatchObject({ code: 'oidc_refused' });
    expect(wrongVerifier.json<Problem>().detail).toContain('invalid_grant');

    // A fresh code (the provider revokes a code tried with a wrong verifier), exchanged properly.
    const again = await authorizeHeadless(auth.href, 'alice');
    const ok = await exchange({ grantType: 'authorization_code', clientId: c.clientId, code: again.searchParams.get('code'), redirectUri: REDIRECT, codeVerifier: verifier });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    const tokens = ok.json<{ accessToken: string; refreshToken: string | null; expiresIn: number; tokenType: string }>();
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 600 });
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ aud: AUDIENCE, client_id: 'matih-dashboard' });
    expect((await get('/api/v1/auth/whoami', tokens.accessToken)).json<WhoAmI>()).toMatchObject({ actor: 'oidc:alice', role: 'platform_admin' });

    // The refresh token gives a new access token for the same audience.
    expect(tokens.refreshToken).toEqual(expect.any(String));
    const refreshed = await exchange({ grantType: 'refresh_token', clientId: c.clientId, refreshToken: tokens.refreshToken });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    const next = refreshed.json<{ accessToken: string }>().accessToken;
    expect(next).not.toBe(tokens.accessToken);
    expect((await get('/api/v1/system/status', next)).statusCode).toBe(200);

    // Only this service's clients; a broken refresh token is the provider's refusal.
    const stranger = await exchange({ grantType: 'refresh_token', clientId: 'test-client', refreshToken: 'x' });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.json<Problem>().code).toBe('validation_failed');
    const bogus = await exchange({ grantType: 'refresh_token', clientId: 'matih-cli', refreshToken: 'not-a-refresh-token' });
    expect(bogus.statusCode).toBe(400);
    expect(bogus.json<Problem>().code).toBe('oidc_refused');
  });

  it('says so when there is no provider (404), or when the provider cannot be reached (503)', async () => {
    const plain = await startTestApp();
    try {
      const res = await plain.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/config' });
      expect(res.statusCode).toBe(404);
      expect(res.json<Problem>().code).toBe('no_oidc');
      // Without a provider configured, a token of one is just an invalid token.
      const token = await tokenFor('alice');
      expect((await plain.app.inject({ method: 'GET', url: '/api/v1/auth/whoami', headers: bearer(token) })).statusCode).toBe(401);
    } finally {
      await plain.close();
    }
    const away = `http://127.0.0.1:${await freePort()}`;
    const verifier = new OidcVerifier({ ...options, issuer: away });
    const now = Math.floor(Date.now() / 1000);
    const token = await op.sign({ iss: away, aud: AUDIENCE, sub: 'alice', groups: ['matih-admins'], iat: now, exp: now + 60 });
    expect(verifier.accepts(token)).toBe(true);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'oidc_unavailable', kind: 'UNAVAILABLE' });
  });
});
