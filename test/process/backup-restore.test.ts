import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVER_URL, createServerDatabase, dropServerDatabase, withServer } from '../support/databases.js';
import { createTenants, expectAllActive, statusOf } from '../support/process-tenants.js';
import { ServiceProcesses, httpJson } from '../support/service-process.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The backup and restore runbook of docs/operations.md, done as written: the control plane's
 * database dumped with pg_dump while the service runs, the database lost, restored with
 * pg_restore under the same name into a stopped deployment, and the service started on it with
 * the same MATIH_SECRET_KEY. What was there before the dump is there after, the sealed values open
 * (JWT signing keys, the tenant's database login), and the control plane goes on provisioning.
 *
 * pg_dump refuses a server newer than itself, so this runs on a server the installed pg_dump can
 * dump: the run's (when it is not newer), else TEST_DUMP_SERVER_URL, else the local server of
 * the machine (127.0.0.1:5432, trust), in databases of its own that it drops afterwards.
 */

const processes = new ServiceProcesses();
afterAll(async () => {
  await processes.cleanup();
});

function clientMajor(program: string): number | undefined {
  const out = spawnSync(program, ['--version'], { encoding: 'utf8' });
  const match = out.status === 0 ? /(\d+)(?:\.\d+)?/.exec(out.stdout) : null;
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

async function serverMajor(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const row = await client.query<{ v: number }>("select current_setting('server_version_num')::int / 10000 as v");
    return row.rows[0]?.v;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A server whose role may create databases and roles, and which the installed pg_dump can dump; or why there is none. */
async function dumpableServer(): Promise<{ url: string } | { missing: string }> {
  const dump = clientMajor('pg_dump');
  if (dump === undefined || clientMajor('pg_restore') === undefined) return { missing: 'pg_dump or pg_restore is not installed (Debian: postgresql-client)' };
  const candidates = [SERVER_URL, process.env.TEST_DUMP_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'];
  const seen: string[] = [];
  for (const url of candidates) {
    const major = await serverMajor(url);
    if (major !== undefined && major <= dump) return { url };
    seen.push(`${new URL(url).host}: ${major === undefined ? 'no answer' : `PostgreSQL ${major}`}`);
  }
  return { missing: `pg_dump ${dump} can dump none of the servers (${seen.join('; ')}); set TEST_DUMP_SERVER_URL to one of version ${dump} or older` };
}

const server = await dumpableServer();
const skipped = 'missing' in server ? ` (skipped: ${server.missing})` : '';

/** Runs a PostgreSQL client program; fails with its output. */
function run(program: string, args: string[]): string {
  const out = spawnSync(program, args, { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`${program} ${args.join(' ')} exited ${String(out.status)}:\n${out.stderr}${out.stdout}`);
  return out.stdout;
}

async function sqlOn(url: string, text: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // A script of several statements answers one result per statement: the last one's rows.
    const result = (await client.query(text)) as pg.QueryResult<Record<string, unknown>> | pg.QueryResult<Record<string, unknown>>[];
    return (Array.isArray(result) ? result.at(-1) : result)?.rows ?? [];
  } finally {
    await client.end();
  }
}

/** The schemas of a tenant in the database: those whose comment marks them as its own (drivers/database/ownership-mark.ts). */
async function schemasOf(url: string, tenantId: string): Promise<string[]> {
  const rows = (await sqlOn(url, `select nspname as name from pg_namespace where obj_description(oid, 'pg_namespace') like '%${tenantId}%' order by 1`)) as { name: string }[];
  return rows.map((r) => r.name);
}

describe.skipIf('missing' in server)(`backing up and restoring the control-plane database with pg_dump and pg_restore${skipped}`, () => {
  it('brings back tenants, keys and sealed values, and the restored service goes on provisioning', async () => {
    const serverUrl = (server as { url: string }).url;
    const url = await createServerDatabase(serverUrl);
    const database = new URL(url).pathname.slice(1);
    const dir = await processes.tempDir('matih-backup-');
    const dump = path.join(dir, 'matih.dump');
    // What the deployment keeps outside the database, the same before and after (docs/operations.md).
    const env = { DATABASE_URL: url, MATIH_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'), MATIH_BOOTSTRAP_TOKEN: 'mtb_backup-restore-test-token-0123456' };
    const token = env.MATIH_BOOTSTRAP_TOKEN;
    try {
      const before = await processes.start({ env });
      const [tenant] = await createTenants(before, token, 1);
      const id = tenant as string;
      await expectAllActive(before, token, [id]);
      const key = await httpJson<{ id: string; key: string }>(`${before.tenantUrl}/api/v1/api-keys`, { method: 'POST', token, body: { name: 'before-backup' } });
      expect(key.status).toBe(201);
      const jwt = await httpJson<{ accessToken: string }>(`${before.tenantUrl}/api/v1/auth/token`, { method: 'POST', body: { apiKey: key.body.key } });
      expect(jwt.status).toBe(200);
      const history = (await httpJson<unknown[]>(`${before.tenantUrl}/api/v1/tenants/${id}/provisioning/history`, { token })).body;

      // The tenant's own data: its schemas live in this database (TENANT_DATABASE_URL unset), so
      // the dump carries them; a row written into one of them must come back.
      const tenantSchemas = await schemasOf(url, id);
      expect(tenantSchemas.length).toBeGreaterThan(0);
      await sqlOn(url, `create table "${tenantSchemas[0]}".restore_marker (note text); insert into "${tenantSchemas[0]}".restore_marker values ('written before the backup')`);

      // Online: pg_dump reads one consistent snapshot while the service keeps working.
      run('pg_dump', ['--format=custom', `--file=${dump}`, url]);
      await before.stop();

      // The database is lost; it is made again, empty, under the same name (tenants' connection
      // details name it), and the dump restored into it before any replica starts.
      await withServer(async (client) => {
        await client.query(`drop database ${database} with (force)`);
        await client.query(`create database ${database}`);
      }, serverUrl);
      run('pg_restore', ['--exit-on-error', '--single-transaction', `--dbname=${url}`, dump]);

      expect(await schemasOf(url, id)).toEqual(tenantSchemas);
      expect(await sqlOn(url, `select note from "${tenantSchemas[0]}".restore_marker`)).toEqual([{ note: 'written before the backup' }]);

      const after = await processes.start({ env });
      expect((await statusOf(after, token, id)).status).toBe('ACTIVE');
      expect((await httpJson(`${after.tenantUrl}/api/v1/tenants/${id}/provisioning/history`, { token })).body).toEqual(history);
      // The API key and the JWT issued before the backup: the key's hash and the sealed signing key came back.
      expect((await httpJson(`${after.tenantUrl}/api/v1/auth/whoami`, { token: key.body.key })).status).toBe(200);
      expect((await httpJson(`${after.tenantUrl}/api/v1/auth/whoami`, { token: jwt.body.accessToken })).status).toBe(200);

      // An update re-runs every step of the tenant: SETUP_DATABASE logs in as the tenant to its
      // restored schemas, DEPLOY_SECRETS opens the database login sealed before the backup.
      const update = await httpJson<{ jobId: string }>(`${after.tenantUrl}/api/v1/tenants/${id}`, { method: 'PATCH', token, body: { configuration: { storageGb: 250 } } });
      expect(update.status, JSON.stringify(update.body)).toBe(202);
      await waitFor(async () => {
        const status = await statusOf(after, token, id);
        if (status.job.status === 'FAILED') throw new Error(`the update failed: ${JSON.stringify(status)}`);
        return status.job.status === 'SUCCEEDED' && status.status === 'ACTIVE' ? true : undefined;
      }, 120_000, 'the update of the restored tenant');
      const steps = (await statusOf(after, token, id)).steps;
      expect(steps.filter((s) => s.name === 'SETUP_DATABASE' || s.name === 'DEPLOY_SECRETS').map((s) => s.status)).toEqual(['COMPLETED', 'COMPLETED']);

      // And a new tenant is provisioned on the restored database (sequences, outbox, DNS, the simulated cluster).
      const fresh = await createTenants(after, token, 1);
      await expectAllActive(after, token, fresh);
      const exit = await after.stop();
      expect(exit.code).toBe(0);
    } finally {
      await processes.killAll();
      await dropServerDatabase(url);
    }
  }, 300_000);
});
