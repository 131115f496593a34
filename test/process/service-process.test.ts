import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, dropServerDatabase } from '../support/databases.js';
import { postmastersOn } from '../support/postgres-processes.js';
import { type ServiceProcess, ServiceProcesses, httpJson } from '../support/service-process.js';
import { tenantBody } from '../support/test-app.js';

/**
 * The service as an operator runs it: a real process, its stdout and stderr, exit codes,
 * signals, restarts and the lock on its data directory.
 */

interface Tenant {
  id: string;
  name: string;
  slug: string;
  tier: string;
  region: string;
  cloudProvider: string;
  adminEmail: string;
  status: string;
  createdAt: string;
}
interface CreatedTenant extends Tenant {
  initialApiKey: { id: string; key: string; role: string };
}

/**
 * The provisioning engine runs in the service and moves a new tenant on (status, updatedAt,
 * namespace...) while a test looks. Where a test compares whole records across a restart it
 * holds the engine still; elsewhere it compares what the creator set, which never changes.
 */
const ENGINE_OFF = { MATIH_WORKER_CONCURRENCY: '0' };

function asCreated(t: Tenant): Pick<Tenant, 'id' | 'name' | 'slug' | 'tier' | 'region' | 'cloudProvider' | 'adminEmail' | 'createdAt'> {
  return {
    id: t.id,
    name: t.name,
    slug: t.slug,
    tier: t.tier,
    region: t.region,
    cloudProvider: t.cloudProvider,
    adminEmail: t.adminEmail,
    createdAt: t.createdAt,
  };
}

const processes = new ServiceProcesses();
afterEach(async () => {
  await processes.killAll();
});
afterAll(async () => {
  await processes.cleanup();
});

async function readToken(dataDir: string): Promise<string> {
  return (await fs.readFile(path.join(dataDir, 'bootstrap-token'), 'utf8')).trim();
}

async function createTenant(service: ServiceProcess, token: string): Promise<CreatedTenant> {
  const res = await httpJson<CreatedTenant>(`${service.tenantUrl}/api/v1/tenants`, { method: 'POST', token, body: tenantBody() });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function readTenant(service: ServiceProcess, token: string, id: string): Promise<Tenant> {
  const res = await httpJson<Tenant>(`${service.tenantUrl}/api/v1/tenants/${id}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

// Each test starts the service two or three times from source (tsx compiles it at every start):
// seconds each on a busy 2-core CI machine, so these tests get more time than vitest's default.
describe('the service process on its embedded PostgreSQL server', { timeout: 120_000 }, () => {
  it('generates a bootstrap token at first start, prints it once, keeps it private, and keeps it across restarts', async () => {
    const first = await processes.start();
    const token = await readToken(first.dataDir);
    expect(token.length).toBeGreaterThanOrEqual(24);

    const stat = await fs.stat(path.join(first.dataDir, 'bootstrap-token'));
    expect(stat.mode & 0o777).toBe(0o600);
    // Shown exactly once, on stdout: never in a log line, never on stderr.
    expect(first.stdout().split(token).length - 1).toBe(1);
    expect(first.stderr()).not.toContain(token);

    const tenant = await createTenant(first, token);
    expect((await first.stop()).code).toBe(0);

    const second = await processes.start({ dataDir: first.dataDir });
    expect(second.stdout()).not.toContain(token);
    expect(second.stdout()).not.toMatch(/bootstrap/i);
    expect(second.stderr()).not.toContain(token);
    expect(await readToken(second.dataDir)).toBe(token);
    await readTenant(second, token, tenant.id);
    await createTenant(second, token);

    const wrong = await httpJson(`${second.tenantUrl}/api/v1/tenants`, { method: 'POST', token: `${token}x`, body: tenantBody() });
    expect(wrong.status).toBe(401);
    expect((await second.stop()).code).toBe(0);
  });

  it('refuses a second process on the same data directory while the first keeps serving', async () => {
    const first = await processes.start();
    const token = await readToken(first.dataDir);
    const tenant = await createTenant(first, token);
    const before = asCreated(await readTenant(first, token, tenant.id));

    const second = await processes.run({ dataDir: first.dataDir });
    expect(second.code).not.toBe(0);
    expect(second.code).not.toBeNull();
    expect(second.stderr).toContain(first.dataDir);
    expect(second.stderr).toMatch(/in use/i);
    expect(second.stderr).toContain(`pid ${first.pid}`);
    // No second server either: the refused process stopped before touching PostgreSQL.
    expect(postmastersOn(path.join(first.dataDir, 'postgres'))).toHaveLength(1);

    expect(first.running()).toBe(true);
    const health = await httpJson<{ status: string }>(`${first.tenantUrl}/health`);
    expect(health).toEqual({ status: 200, body: { status: 'UP' } });
    expect(asCreated(await readTenant(first, token, tenant.id))).toEqual(before);
    // The refused process neither corrupted the database nor took the lock away.
    await createTenant(first, token);
    expect((await first.stop()).code).toBe(0);
  });

  it('keeps every tenant across a graceful restart (SIGTERM exits with code 0)', async () => {
    const first = await processes.start({ env: ENGINE_OFF });
    const token = await readToken(first.dataDir);
    const created = [await createTenant(first, token), await createTenant(first, token), await createTenant(first, token)];
    const before = await Promise.all(created.map((t) => readTenant(first, token, t.id)));

    const exit = await first.stop('SIGTERM');
    expect(exit.code).toBe(0);
    expect(exit.signal).toBeNull();

    const second = await processes.start({ dataDir: first.dataDir, env: ENGINE_OFF });
    const after = await Promise.all(created.map((t) => readTenant(second, token, t.id)));
    expect(after).toEqual(before);
    const list = await httpJson<{ items: Tenant[] }>(`${second.tenantUrl}/api/v1/tenants?limit=200`, { token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((t) => t.id).sort()).toEqual(created.map((t) => t.id).sort());
    expect((await second.stop()).code).toBe(0);
  });

  it('takes over the lock left by a process killed with SIGKILL, with its data intact', async () => {
    const first = await processes.start({ env: ENGINE_OFF });
    const token = await readToken(first.dataDir);
    const tenant = await createTenant(first, token);
    const before = await readTenant(first, token, tenant.id);

    const killed = await first.kill();
    expect(killed.signal).toBe('SIGKILL');
    // The dead process had no chance to remove its lock: the next start must see it and take over.
    await expect(fs.access(path.join(first.dataDir, 'matih.lock'))).resolves.toBeUndefined();
    // Its PostgreSQL outlived it, and the next start adopts that server instead of starting another.
    const pgdata = path.join(first.dataDir, 'postgres');
    const [orphan] = postmastersOn(pgdata);
    expect(orphan).toBeDefined();

    const second = await processes.start({ dataDir: first.dataDir, env: ENGINE_OFF });
    expect(second.stdout()).toContain('adopted it');
    expect(postmastersOn(pgdata)).toEqual([orphan]);
    expect(await readTenant(second, token, tenant.id)).toEqual(before);
    // The tenant's own API key, written in the same transaction, still works.
    const own = await httpJson<Tenant>(`${second.tenantUrl}/api/v1/tenants/${tenant.id}`, { token: tenant.initialApiKey.key });
    expect(own.status).toBe(200);
    await createTenant(second, token);
    expect((await second.stop()).code).toBe(0);
  });

  it('exits with code 2 on invalid configuration and lists every problem at once', async () => {
    const result = await processes.run({ env: { MATIH_TENANT_PORT: 'abc', MATIH_LOG_LEVEL: 'loud' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MATIH_TENANT_PORT');
    expect(result.stderr).toContain('abc');
    expect(result.stderr).toContain('MATIH_LOG_LEVEL');
    expect(result.stdout).not.toMatch(/bootstrap/i);
  });
});

describe('replicas sharing a PostgreSQL server (DATABASE_URL)', { timeout: 120_000 }, () => {
  let databaseUrl: string | undefined;
  beforeAll(async () => {
    databaseUrl = await createServerDatabase();
  });
  afterAll(async () => {
    await processes.killAll();
    if (databaseUrl) await dropServerDatabase(databaseUrl);
  });

  it('starts two replicas at once on a fresh database and each sees the other\'s tenants', async () => {
    const token = 'replica-shared-bootstrap-token-0123456789';
    // Replicas share the key that seals secrets (the JWT signing keys among them), as documented.
    const env = { DATABASE_URL: databaseUrl, MATIH_BOOTSTRAP_TOKEN: token, MATIH_SECRET_KEY: randomBytes(32).toString('base64') };
    // Both run the migrations against the same empty database at the same moment.
    const [a, b] = await Promise.all([processes.start({ env }), processes.start({ env })]);
    expect(a.dataDir).not.toBe(b.dataDir);
    // A configured token is never printed.
    expect(a.stdout()).not.toContain(token);

    const fromA = await createTenant(a, token);
    const fromB = await createTenant(b, token);
    expect(asCreated(await readTenant(b, token, fromA.id))).toEqual(asCreated(fromA));
    expect(asCreated(await readTenant(a, token, fromB.id))).toEqual(asCreated(fromB));
    const listed = await httpJson<{ items: Tenant[] }>(`${a.tenantUrl}/api/v1/tenants?limit=200`, { token });
    expect(listed.body.items.map((t) => t.id).sort()).toEqual([fromA.id, fromB.id].sort());

    // One signing key for all replicas: an access token issued by one is accepted by the other.
    const issued = await httpJson<{ accessToken: string }>(`${a.tenantUrl}/api/v1/auth/token`, {
      method: 'POST',
      body: { apiKey: fromA.initialApiKey.key },
    });
    expect(issued.status).toBe(200);
    const viaB = await httpJson<Tenant>(`${b.tenantUrl}/api/v1/tenants/${fromA.id}`, { token: issued.body.accessToken });
    expect(viaB.status).toBe(200);
    expect(viaB.body.id).toBe(fromA.id);

    // A third replica with a key of its own could open none of the others' secrets: it refuses
    // to start, naming the variable, rather than fail later at a tenant's secrets step.
    const stray = await processes.start({ env: { ...env, MATIH_SECRET_KEY: randomBytes(32).toString('base64') } }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(stray?.message).toMatch(/exited before it was ready[\s\S]*MATIH_SECRET_KEY/);

    const [exitA, exitB] = await Promise.all([a.stop(), b.stop()]);
    expect([exitA.code, exitB.code]).toEqual([0, 0]);
  });
});
