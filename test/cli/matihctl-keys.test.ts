import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, dropServerDatabase } from '../support/databases.js';
import { type CliResult, buildCli, jsonOf, matihctl } from '../support/matihctl.js';
import { type ServiceProcess, ServiceProcesses } from '../support/service-process.js';

/**
 * `matihctl keys create | list | revoke`, the built binary, against the service process: scoped,
 * expiring platform-admin and tenant keys, used through MATIH_TOKEN, refused outside their scopes.
 */

const TOKEN = 'matihctl-keys-bootstrap-token-0123456789';

interface Key {
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

function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${String(result.code)}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
}

describe('matihctl keys against the service', { timeout: 120_000 }, () => {
  const procs = new ServiceProcesses();
  let service: ServiceProcess;
  let databaseUrl: string;
  let config: string;
  let tenantId: string;

  /** As the bootstrap admin unless `token` names another credential; no stored login. */
  const cli = (args: readonly string[], token = TOKEN) => matihctl(args, { config, env: { MATIH_SERVER: service.tenantUrl, MATIH_TOKEN: token } });
  const json = async <T>(args: readonly string[], token = TOKEN): Promise<T> => {
    const result = await cli([...args, '--output', 'json'], token);
    expectExit(result, 0);
    return jsonOf<T>(result);
  };

  beforeAll(async () => {
    config = path.join(await procs.tempDir('matihctl-keys-'), 'config.json');
    databaseUrl = await createServerDatabase();
    const [, started] = await Promise.all([
      buildCli(),
      procs.start({ env: { DATABASE_URL: databaseUrl, MATIH_BOOTSTRAP_TOKEN: TOKEN, MATIH_LOG_LEVEL: 'warn', MATIH_WORKER_CONCURRENCY: '0' } }),
    ]);
    service = started;
    const created = await fetch(`${service.tenantUrl}/api/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Acme Keys', slug: 'acme-keys', tier: 'FREE', adminEmail: 'admin@acme.example', cloudProvider: 'AZURE', region: 'eastus' }),
    });
    expect(created.status).toBe(201);
    tenantId = ((await created.json()) as { id: string }).id;
  }, 120_000);

  afterAll(async () => {
    await procs.cleanup();
    if (databaseUrl) await dropServerDatabase(databaseUrl);
  });

  it('documents the commands; a bad scope or a role without a tenant exits 2 and sends nothing', async () => {
    const [help, keys, create] = await Promise.all([cli(['--help']), cli(['keys', '--help']), cli(['keys', 'create', '--help'])]);
    expectExit(help, 0);
    expect(help.stdout).toMatch(/^ {2}keys\b/m);
    for (const command of ['create', 'list', 'revoke']) expect(keys.stdout).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
    // Help wraps to the terminal's width: compared with the lines joined.
    const createHelp = create.stdout.replace(/\s+/g, ' ');
    for (const word of ['--scope <scope>', '--expires-in-days <days>', '--tenant <tenant>', 'read, create, update, suspend, delete, infrastructure, audit']) expect(createHelp).toContain(word);

    const bad = await cli(['keys', 'create', '--scope', 'read', '--scope', 'frobnicate']);
    expectExit(bad, 2);
    expect(bad.stderr).toContain('unknown scope "frobnicate"');
    expectExit(await cli(['keys', 'create', '--role', 'Viewer']), 2);
    expectExit(await cli(['keys', 'create', '--tenant', tenantId]), 2);
    expectExit(await cli(['keys', 'create', '--expires-in-days', '0']), 2);
    expectExit(await cli(['keys', 'revoke']), 2);
    // Nothing was made.
    expect((await json<{ items: Key[] }>(['keys', 'list'])).items).toEqual([]);
  });

  it('creates a scoped, expiring platform-admin key, shows it once, and the key is refused outside its scopes', async () => {
    const result = await cli(['keys', 'create', '--name', 'ci', '--scope', 'read', '--scope', 'suspend', '--expires-in-days', '30']);
    expectExit(result, 0);
    expect(result.stdout).toMatch(/^scopes +read, suspend$/m);
    expect(result.stdout).toMatch(/^tenant +none: a platform-admin key$/m);
    expect(result.stderr).toContain('the key is shown once');
    const key = /^key +(mtk_\S+)$/m.exec(result.stdout)?.[1] ?? '';
    expect(key).toMatch(/^mtk_/);

    const listed = (await json<{ items: Key[] }>(['keys', 'list'])).items;
    expect(listed).toHaveLength(1);
    const [ci] = listed;
    expect(ci).toMatchObject({ name: 'ci', role: 'platform_admin', tenantId: null, scopes: ['read', 'suspend'], lastUsedAt: null });
    const days = (Date.parse(ci!.expiresAt ?? '') - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    // Used: it reads, and may not create (403: exit 4, the scope named).
    expectExit(await cli(['tenants', 'get', tenantId], key), 0);
    const refused = await cli(['tenants', 'create', '--name', 'No', '--slug', 'no-scope', '--tier', 'FREE', '--admin-email', 'a@b.example'], key);
    expectExit(refused, 4);
    expect(refused.stderr).toContain('error insufficient_scope: this API key lacks the `create` scope');
    const widen = await cli(['keys', 'create', '--name', 'wider', '--scope', 'delete'], key);
    expectExit(widen, 4);
    expect(widen.stderr).toContain('lacks the `create` scope');

    // The list shows its last use, in the table too.
    const table = await cli(['keys', 'list']);
    expectExit(table, 0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID +NAME +ROLE +SCOPES +EXPIRES +LAST USED +REVOKED$/);
    const row = table.stdout.split('\n').find((line) => line.startsWith(ci!.id)) ?? '';
    expect(row).toMatch(new RegExp(`^${ci!.id} +ci +platform_admin +read,suspend +\\S+ +\\d{4}-\\d\\d-\\d\\dT\\S+ +-$`));
  });

  it("creates, lists and revokes a tenant's keys by slug; a scope the role cannot use is the API's 400", async () => {
    const viewer = await json<Key>(['keys', 'create', '--tenant', 'acme-keys', '--role', 'Viewer', '--name', 'grafana', '--scope', 'read,audit']);
    expect(viewer).toMatchObject({ tenantId, role: 'Viewer', scopes: ['read', 'audit'], expiresAt: null });
    const admin = await json<Key>(['keys', 'create', '--tenant', tenantId, '--role', 'Admin']);
    expect(admin.scopes).toEqual(['read', 'create', 'update', 'delete', 'audit']);

    const beyond = await cli(['keys', 'create', '--tenant', 'acme-keys', '--role', 'Viewer', '--scope', 'update']);
    expectExit(beyond, 3);
    expect(beyond.stderr).toContain('scopes: the Viewer role does not allow the update scope');

    const listed = (await json<{ items: Key[] }>(['keys', 'list', '--tenant', 'acme-keys'])).items;
    // The tenant's initial admin key, made at creation without scopes, and the two above.
    expect(listed).toHaveLength(3);
    expect(listed.find((k) => k.id === viewer.id)?.scopes).toEqual(['read', 'audit']);

    const revoked = await json<Key>(['keys', 'revoke', viewer.id, '--tenant', 'acme-keys']);
    expect(revoked.revokedAt).not.toBeNull();
    const gone = await cli(['tenants', 'get', tenantId], viewer.key);
    expectExit(gone, 4);
    expect(gone.stderr).toContain('error unauthenticated: the API key has been revoked');
    // A platform key id is not the tenant's: 404, exit 5.
    const platform = (await json<{ items: Key[] }>(['keys', 'list'])).items[0]!;
    expectExit(await cli(['keys', 'revoke', platform.id, '--tenant', tenantId]), 5);
    expect((await json<Key>(['keys', 'revoke', platform.id])).revokedAt).not.toBeNull();
  });
});
