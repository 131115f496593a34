import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestOidcProvider, startOidcProvider } from '../support/oidc-provider.js';
import { freePort } from '../support/service-process.js';
import { BOOTSTRAP_TOKEN, type CreatedTenantResponse, type TestApp, createTenantViaApi, startTestApp } from '../support/test-app.js';
import { a11yProblems } from './a11y-check.js';

/**
 * "Sign in with SSO" on the dashboard, in headless Chromium, against a real OpenID Provider
 * (oidc-provider) started here: the authorization code flow with PKCE from the page, the
 * provider's own login page, back to the dashboard with the mapped role; a tenant user sees
 * their tenant only; a user whose groups give no role is told so; the token never sits in the
 * address bar. Screenshots go to test-artifacts/screenshots/ (sso-*.png).
 */

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`${CHROMIUM} not found (.ci/run installs Debian's chromium): the dashboard SSO browser tests are skipped.`);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOTS = path.join(ROOT, 'test-artifacts', 'screenshots');
const AUDIENCE = 'https://api.matih.test';

describe.skipIf(!HAS_CHROMIUM)('dashboard sign-in through an OpenID Provider, in headless Chromium', () => {
  let dist: string;
  let op: TestOidcProvider;
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let tenant: CreatedTenantResponse;
  let other: CreatedTenantResponse;
  const breakage: string[] = [];

  beforeAll(async () => {
    dist = mkdtempSync(path.join(tmpdir(), 'matih-ui-sso-'));
    const { build } = await import('vite');
    await build({ configFile: path.join(ROOT, 'ui/vite.config.ts'), root: path.join(ROOT, 'ui'), logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
    mkdirSync(SCREENSHOTS, { recursive: true });

    // The dashboard's address is its redirect URI at the provider, so the port comes first.
    const port = await freePort();
    op = await startOidcProvider({
      resources: [AUDIENCE],
      users: [
        { sub: 'alice', email: 'alice@matih.example', groups: ['matih-admins'] },
        { sub: 'dave', groups: ['staff'] },
      ],
      clients: [
        { client_id: 'matih-dashboard', token_endpoint_auth_method: 'none', redirect_uris: [`http://127.0.0.1:${port}/`], grant_types: ['authorization_code'], response_types: ['code'] },
      ],
    });
    t = await startTestApp({
      dashboardDir: dist,
      oidc: {
        issuer: op.issuer,
        audience: AUDIENCE,
        groupsClaim: 'groups',
        tenantClaim: 'matih_tenant',
        adminGroups: ['matih-admins'],
        roleGroups: [{ role: 'Viewer', group: 'matih-viewers' }],
        clockSkewSeconds: 30,
        clientId: 'matih-dashboard',
        clientSecret: undefined,
        cliClientId: undefined,
        scopes: ['openid', 'profile', 'email'],
        resourceIndicator: true,
      },
    });
    base = await t.app.listen({ port, host: '127.0.0.1' });
    tenant = await createTenantViaApi(t.app);
    other = await createTenantViaApi(t.app);
    op.addUser({ sub: 'bob', email: 'bob@acme.example', groups: ['matih-viewers'], tenant: tenant.id });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await op?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
  }, 180_000);

  /** A fresh browser profile (no session at the provider), watched for CSP refusals and exceptions. */
  async function freshPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => breakage.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|Uncaught/i.test(message.text())) breakage.push(`console: ${message.text()}`);
    });
    return page;
  }

  /** From the dashboard's sign-in page through the provider's login form, as `login`. */
  async function signInWithSso(page: Page, login: string, screenshotName?: string): Promise<void> {
    await page.getByRole('button', { name: 'Sign in with SSO', exact: true }).click();
    await page.waitForURL((url) => url.origin === op.issuer);
    await page.getByLabel('Username').fill(login);
    if (screenshotName) await page.screenshot({ path: path.join(SCREENSHOTS, `${screenshotName}.png`), fullPage: true });
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.origin === base);
  }

  it('signs a platform admin in through the provider (code flow with PKCE), token kept in the tab only', async () => {
    const page = await freshPage();
    // A page deep in the dashboard: the sign-in comes back to it.
    await page.goto(`${base}/#/health`);
    const sso = page.getByRole('button', { name: 'Sign in with SSO', exact: true });
    await sso.waitFor();
    // The bootstrap token / API key sign-in stays beside it (break-glass).
    await page.getByLabel('Token or API key').waitFor();
    expect(await a11yProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sso-01-sign-in.png'), fullPage: true });

    // What the page sends the browser to: the authorization endpoint, with a PKCE challenge and the API as resource.
    const request = page.waitForRequest((r) => r.url().startsWith(`${op.issuer}/auth`));
    await signInWithSso(page, 'alice', 'sso-02-provider-login');
    const auth = new URL((await request).url());
    expect(Object.fromEntries(auth.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'matih-dashboard',
      redirect_uri: `${base}/`,
      code_challenge_method: 'S256',
      resource: AUDIENCE,
      scope: 'openid profile email',
    });
    expect(auth.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(auth.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    await page.getByRole('heading', { level: 1, name: 'Health' }).waitFor();
    await page.getByText('Platform admin').waitFor();
    // The code and state are gone from the address; the token is the provider's access token, in session storage.
    expect(page.url()).toBe(`${base}/#/health`);
    const token = (await page.evaluate<string | null>("sessionStorage.getItem('matih.dashboard.token')")) ?? '';
    expect(decodeJwt(token)).toMatchObject({ iss: op.issuer, aud: AUDIENCE, sub: 'alice' });
    expect(await page.evaluate<string | null>("sessionStorage.getItem('matih.dashboard.sso')")).toBeNull();
    expect(await page.evaluate<string>('JSON.stringify(localStorage)')).not.toContain(token);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    await page.getByText(tenant.name).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sso-03-signed-in-admin.png'), fullPage: true });
    // A reload keeps the session, as with any token.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    await page.context().close();
  });

  it("signs a tenant's user in with the role their group maps to, seeing their tenant only", async () => {
    const page = await freshPage();
    await page.goto(`${base}/`);
    await signInWithSso(page, 'bob');
    await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    await page.getByText('Viewer of a tenant').waitFor();
    await page.getByText(tenant.name).waitFor();
    expect(await page.getByText(other.name).count()).toBe(0);
    // No platform admin pages for a tenant's user.
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Create tenant' }).count()).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sso-04-signed-in-viewer.png'), fullPage: true });
    await page.context().close();
  });

  it('tells a user whose groups give no role here, and keeps the other ways to sign in', async () => {
    const page = await freshPage();
    await page.goto(`${base}/`);
    await signInWithSso(page, 'dave');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/no group that has a role here.*forbidden/);
    expect(page.url()).toBe(`${base}/`);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('matih.dashboard.token')")).toBeNull();
    expect(await a11yProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sso-05-no-role.png'), fullPage: true });
    // The bootstrap token still signs in (first start, break-glass).
    await page.getByLabel('Token or API key').fill(BOOTSTRAP_TOKEN);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    await page.context().close();
  });

  it('refuses an answer it did not ask for (no sign-in started in this tab, or another state)', async () => {
    const page = await freshPage();
    // A forged redirect carrying someone's code: no pending sign-in here, so nothing is redeemed.
    await page.goto(`${base}/?code=stolen&state=whatever`);
    await page.getByLabel('Token or API key').waitFor();
    expect(await page.evaluate<string | null>("sessionStorage.getItem('matih.dashboard.token')")).toBeNull();
    // A pending sign-in with another state: refused, and the pending sign-in forgotten.
    await page.evaluate("sessionStorage.setItem('matih.dashboard.sso', JSON.stringify({ state: 'mine', verifier: 'v', clientId: 'matih-dashboard', redirectUri: location.origin + '/', hash: '' }))");
    await page.goto(`${base}/?code=stolen&state=theirs`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('does not match a sign-in started here');
    expect(page.url()).toBe(`${base}/`);
    await page.context().close();
    expect(breakage).toEqual([]);
  });
});
