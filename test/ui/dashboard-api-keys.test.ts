import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP_TOKEN, type CreatedTenantResponse, type TestApp, adminAuth, createTenantViaApi, startTestApp } from '../support/test-app.js';
import { a11yProblems } from './a11y-check.js';

/**
 * The dashboard's API keys, in headless Chromium against the service in-process: platform-admin
 * keys on their page and a tenant's on the tenant's page; created with scopes ticked and an
 * expiry (the API's problem next to the scopes first), the secret shown once, listed with scopes,
 * expiry and last use, revoked; and a scoped key signed in is refused what its scopes do not
 * cover, the scope named. Screenshots go to test-artifacts/screenshots/ (keys-*.png).
 */

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`${CHROMIUM} not found (.ci/run installs Debian's chromium): the dashboard API key browser tests are skipped.`);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOTS = path.join(ROOT, 'test-artifacts', 'screenshots');

describe.skipIf(!HAS_CHROMIUM)('dashboard API keys in headless Chromium', () => {
  let dist: string;
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let tenant: CreatedTenantResponse;
  let ciKey = '';
  const breakage: string[] = [];

  const screenshot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `keys-${name}.png`), fullPage: true });
  const whoami = (key: string) => fetch(`${base}/api/v1/auth/whoami`, { headers: { authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    dist = mkdtempSync(path.join(tmpdir(), 'matih-ui-keys-'));
    const { build } = await import('vite');
    await build({ configFile: path.join(ROOT, 'ui/vite.config.ts'), root: path.join(ROOT, 'ui'), logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await startTestApp({ dashboardDir: dist });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    await t.infra.listen({ port: 0, host: '127.0.0.1' });
    tenant = await createTenantViaApi(t.app);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('pageerror', (error) => breakage.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|Uncaught/i.test(message.text())) breakage.push(`console: ${message.text()}`);
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
  }, 120_000);

  it('creates a platform-admin key with the scopes ticked: the API refuses none ticked next to the scopes, then shows the key once', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('Token or API key').fill(BOOTSTRAP_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    const panel = page.getByTestId('api-keys');
    await panel.getByText('No API keys yet.').waitFor();
    // Every scope ticked at first: a platform-admin key may have them all.
    const boxes = panel.getByRole('checkbox');
    expect(await boxes.count()).toBe(7);
    for (const box of await boxes.all()) expect(await box.isChecked()).toBe(true);
    expect(await a11yProblems(page)).toEqual([]);

    await panel.getByLabel('Key name').fill('ci');
    for (const box of await boxes.all()) await box.uncheck();
    await panel.getByRole('button', { name: 'Create the key' }).click();
    const scopesError = page.locator('#platform-keys-scopes-error');
    await scopesError.waitFor();
    expect(await scopesError.textContent()).toContain('give at least one scope');
    expect(await panel.getByRole('group', { name: 'Scopes' }).getAttribute('aria-describedby')).toContain('platform-keys-scopes-error');
    expect(await page.locator('[data-field-error]').count()).toBe(1);
    await screenshot('01-scopes-refused');

    await panel.getByLabel(/^create\b/).check();
    await panel.getByLabel('Expires in days').fill('90');
    await panel.getByRole('button', { name: 'Create the key' }).click();
    const secret = panel.getByTestId('created-key-secret');
    await secret.waitFor();
    ciKey = (await secret.textContent()) ?? '';
    expect(ciKey).toMatch(/^mtk_/);
    expect(await panel.getByTestId('created-key').textContent()).toContain('with create');
    expect(await page.locator('[data-field-error]').count()).toBe(0);
    const row = panel.locator('tr[data-key-name="ci"]');
    await row.waitFor();
    expect(await row.getByTestId('key-scopes').textContent()).toBe('create');
    expect(await row.getByTestId('key-expires').textContent()).not.toBe('Never');
    expect(await row.getByTestId('key-last-used').textContent()).toBe('Never');
    // The key is what the page said, and kept nowhere by the page.
    expect((await (await whoami(ciKey)).json()) as { scopes: string[] }).toMatchObject({ role: 'platform_admin', scopes: ['create'] });
    expect(await page.evaluate<string>('JSON.stringify({ ...sessionStorage, ...localStorage })')).not.toContain(ciKey);
    expect(await a11yProblems(page)).toEqual([]);
    await screenshot('02-platform-key-created');
  });

  it("manages a tenant's keys on its page: a Viewer key with read only, its last use, then revoked", async () => {
    await page.goto(`${base}/#/tenants/${tenant.id}`);
    const panel = page.getByTestId('api-keys');
    // The tenant's initial admin key, made without scopes: every scope of the Admin role.
    const initial = panel.locator(`tr[data-key-id="${tenant.initialApiKey.id}"]`);
    await initial.waitFor();
    expect(await initial.getByTestId('key-scopes').textContent()).toBe('read, create, update, delete, audit');

    // A Viewer may have read and audit only: those are the boxes, ticked.
    await panel.getByLabel('Role').selectOption('Viewer');
    const boxes = panel.getByRole('checkbox');
    expect(await boxes.count()).toBe(2);
    await panel.getByLabel('Key name').fill('grafana');
    await panel.getByLabel(/^audit\b/).uncheck();
    await panel.getByLabel('Expires in days').fill('30');
    await panel.getByRole('button', { name: 'Create the key' }).click();
    const key = (await panel.getByTestId('created-key-secret').textContent()) ?? '';
    expect(key).toMatch(/^mtk_/);
    const row = panel.locator('tr[data-key-name="grafana"]');
    await row.waitFor();
    expect(await row.getByTestId('key-scopes').textContent()).toBe('read');
    const listed = (await (await fetch(`${base}/api/v1/tenants/${tenant.id}/api-keys`, { headers: adminAuth })).json()) as { items: { name: string; expiresAt: string }[] };
    const days = (Date.parse(listed.items.find((k) => k.name === 'grafana')?.expiresAt ?? '') - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);

    // Used once, then the page read again: the last use shows.
    expect((await whoami(key)).status).toBe(200);
    expect((await fetch(`${base}/api/v1/tenants/${tenant.id}/audit`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(403);
    await page.reload();
    await expect.poll(() => row.getByTestId('key-last-used').textContent()).not.toBe('Never');
    expect(await a11yProblems(page)).toEqual([]);
    await screenshot('03-tenant-keys');

    await row.getByRole('button', { name: 'Revoke grafana' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke grafana?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Revoke the key' }).click();
    await expect.poll(() => row.getByTestId('key-state').textContent()).toMatch(/^Revoked /);
    await panel.getByTestId('api-keys-message').waitFor();
    expect((await whoami(key)).status).toBe(401);
    await screenshot('04-tenant-key-revoked');
  });

  it('signed in with a scoped key, says what its scopes do not allow, naming the scope', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Token or API key').fill(ciKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back on the tenant's page it was on, which the key may not read.
    const tenantRefused = page.getByRole('alert').filter({ hasText: 'Could not load the tenant' });
    await tenantRefused.waitFor();
    expect(await tenantRefused.textContent()).toContain('this API key lacks the `read` scope (insufficient_scope)');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    const refused = page.getByRole('alert').filter({ hasText: 'Could not load the tenants' });
    await refused.waitFor();
    expect(await refused.textContent()).toContain('this API key lacks the `read` scope (insufficient_scope)');
    await screenshot('05-scoped-key-refused');
    expect(breakage).toEqual([]);
  });
});
