import fs from 'node:fs/promises';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, dropServerDatabase } from '../support/databases.js';
import { type CliResult, type RunningCli, buildCli, jsonOf, matihctl, startMatihctl } from '../support/matihctl.js';
import { type TestOidcProvider, authorizeHeadless, startOidcProvider } from '../support/oidc-provider.js';
import { type ServiceProcess, ServiceProcesses } from '../support/service-process.js';
import { waitFor } from '../support/wait-for.js';

/**
 * `matihctl login --oidc`, the built binary, against the service process configured with
 * MATIH_OIDC_* and a real OpenID Provider (oidc-provider) started here. The test plays the
 * user's browser: it reads the address matihctl prints, goes through the provider's login with a
 * cookie-keeping client (authorizeHeadless), and delivers the provider's redirect to matihctl's
 * loopback port (RFC 8252). Then the stored login works, and renews itself with the refresh token.
 */

const TOKEN = 'matihctl-oidc-bootstrap-token-0123456789';
const AUDIENCE = 'https://api.matih.test';

interface StoredFile {
  server: string;
  credential: { kind: string; value: string; refreshToken?: string; expiresAt?: string; clientId?: string };
}

function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${String(result.code)}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
}

describe('matihctl login --oidc against the service and a real OpenID Provider', { timeout: 120_000 }, () => {
  const procs = new ServiceProcesses();
  let op: TestOidcProvider;
  let service: ServiceProcess;
  let databaseUrl: string;
  let config: string;
  let tenantId: string;

  const cli = (args: readonly string[], env: Record<string, string> = {}) => matihctl(args, { config, env });
  const stored = async () => JSON.parse(await fs.readFile(config, 'utf8')) as StoredFile;

  beforeAll(async () => {
    config = path.join(await procs.tempDir('matihctl-oidc-'), 'config.json');
    op = await startOidcProvider({
      resources: [AUDIENCE],
      // Under the minute before expiry at which matihctl renews: every command renews first.
      accessTokenTtlSeconds: 45,
      users: [{ sub: 'alice', email: 'alice@matih.example', groups: ['matih-admins'] }],
      clients: [
        { client_id: 'matih-cli', application_type: 'native', token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1/callback'], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] },
      ],
    });
    databaseUrl = await createServerDatabase();
    const [, started] = await Promise.all([
      buildCli(),
      procs.start({
        env: {
          DATABASE_URL: databaseUrl,
          MATIH_BOOTSTRAP_TOKEN: TOKEN,
          MATIH_LOG_LEVEL: 'warn',
          MATIH_WORKER_CONCURRENCY: '0',
          MATIH_OIDC_ISSUER: op.issuer,
          MATIH_OIDC_AUDIENCE: AUDIENCE,
          MATIH_OIDC_CLI_CLIENT_ID: 'matih-cli',
          MATIH_OIDC_ADMIN_GROUPS: 'matih-admins',
          MATIH_OIDC_ROLE_GROUPS: 'Admin:matih-tenant-admins,Viewer:matih-viewers',
        },
      }),
    ]);
    service = started;
    const created = await fetch(`${service.tenantUrl}/api/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Acme SSO', slug: 'acme-sso', tier: 'FREE', adminEmail: 'admin@acme.example', cloudProvider: 'AZURE', region: 'eastus' }),
    });
    expect(created.status).toBe(201);
    tenantId = ((await created.json()) as { id: string }).id;
    op.addUser({ sub: 'bob', email: 'bob@acme.example', groups: ['matih-viewers'], tenant: tenantId });
  }, 120_000);

  afterAll(async () => {
    await procs.cleanup();
    await op?.close();
    if (databaseUrl) await dropServerDatabase(databaseUrl);
  });

  /** The address matihctl prints for the browser. */
  async function authorizationUrl(running: RunningCli): Promise<URL> {
    const line = await waitFor(async () => /^ {2}(http:\/\/\S+)$/m.exec(running.stderr())?.[1], 20_000, 'matihctl to print the sign-in address');
    return new URL(line);
  }

  /** `login --oidc` with the test as the user at the browser; answers matihctl's result. */
  async function loginAs(login: string): Promise<CliResult> {
    const running = startMatihctl(['login', '--oidc', '--server', service.tenantUrl], { config, env: {} });
    const url = await authorizationUrl(running);
    const back = await authorizeHeadless(url.href, login);
    const delivered = await fetch(back);
    expect(delivered.status).toBe(200);
    expect(await delivered.text()).toContain('you can close this tab');
    return running.done;
  }

  it('signs in through the browser with PKCE and a loopback redirect, and stores the tokens privately', async () => {
    const running = startMatihctl(['login', '--oidc', '--server', service.tenantUrl], { config, env: {} });
    const url = await authorizationUrl(running);
    // What matihctl asks the provider for: its own client, a loopback redirect on a port of its own, PKCE, the API as resource.
    const redirect = new URL(url.searchParams.get('redirect_uri') ?? '');
    expect(url.origin).toBe(op.issuer);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ response_type: 'code', client_id: 'matih-cli', code_challenge_method: 'S256', resource: AUDIENCE });
    expect(url.searchParams.get('scope')?.split(' ')).toEqual(['openid', 'profile', 'email', 'offline_access']);
    expect(redirect.hostname).toBe('127.0.0.1');
    expect(redirect.pathname).toBe('/callback');
    expect(Number(redirect.port)).toBeGreaterThan(0);

    // Something else knocking at the loopback port, without the state, is refused; matihctl keeps waiting.
    const forged = await fetch(`${redirect.origin}/callback?code=forged&state=guess`);
    expect(forged.status).toBe(400);
    expect((await fetch(`${redirect.origin}/other`)).status).toBe(404);

    const back = await authorizeHeadless(url.href, 'alice');
    expect(back.origin).toBe(redirect.origin);
    expect((await fetch(back)).status).toBe(200);
    const result = await running.done;
    expectExit(result, 0);
    expect(result.stdout).toContain(`Logged in to ${service.tenantUrl} as oidc:alice (platform_admin)`);
    // The port is closed once the sign-in is in.
    await expect(fetch(back)).rejects.toThrow();

    expect((await fs.stat(config)).mode & 0o777).toBe(0o600);
    const file = await stored();
    expect(file.credential).toMatchObject({ kind: 'oidc', clientId: 'matih-cli' });
    expect(typeof file.credential.refreshToken).toBe('string');
    expect(Date.parse(file.credential.expiresAt ?? '')).toBeGreaterThan(Date.now());
    expect(decodeJwt(file.credential.value)).toMatchObject({ iss: op.issuer, aud: AUDIENCE, sub: 'alice' });
  });

  it('works with the stored login, renewing the access token with the refresh token before it expires', async () => {
    const before = (await stored()).credential;
    const list = await cli(['tenants', 'list', '--output', 'json']);
    expectExit(list, 0);
    expect(jsonOf<{ items: { id: string }[] }>(list).items.map((t) => t.id)).toContain(tenantId);
    const after = (await stored()).credential;
    expect(after.kind).toBe('oidc');
    expect(after.value).not.toBe(before.value);
    expect(Date.parse(after.expiresAt ?? '')).toBeGreaterThan(Date.parse(before.expiresAt ?? ''));
    expect(decodeJwt(after.value)).toMatchObject({ sub: 'alice', aud: AUDIENCE });

    // A refresh token the provider no longer honours: a note, and the access token still used while it lasts.
    await fs.writeFile(config, JSON.stringify({ ...(await stored()), credential: { ...after, refreshToken: 'revoked-or-expired' } }), { mode: 0o600 });
    const noted = await cli(['tenants', 'get', tenantId]);
    expectExit(noted, 0);
    expect(noted.stderr).toContain('could not be renewed');
    expect(noted.stderr).toContain('matihctl login --oidc');
  });

  it("signs a tenant's user in with their mapped role: their tenant only, no platform operations", async () => {
    const result = await loginAs('bob');
    expectExit(result, 0);
    expect(result.stdout).toContain(`as oidc:bob (Viewer, tenant ${tenantId})`);
    const list = await cli(['tenants', 'list', '--output', 'json']);
    expectExit(list, 0);
    expect(jsonOf<{ items: { id: string }[] }>(list).items.map((t) => t.id)).toEqual([tenantId]);
    expectExit(await cli(['tenants', 'suspend', tenantId]), 4);
  });

  it('gives up when no sign-in arrives, and refuses a mix of credentials', async () => {
    const timedOut = await cli(['login', '--oidc', '--server', service.tenantUrl], { MATIHCTL_LOGIN_TIMEOUT_S: '1' });
    expectExit(timedOut, 4);
    expect(timedOut.stderr).toContain('error login_timeout');
    expectExit(await cli(['login', '--oidc', '--token', TOKEN]), 2);
    expectExit(await cli(['login', '--oidc', '--callback-port', 'http']), 2);
  });
});
