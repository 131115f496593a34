import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EmbeddedPostgres } from '../../src/store/server/embedded-postgres.js';
import { resolvePostgresBinaries } from '../../src/store/server/postgres-binaries.js';
import { postgresRunAs } from '../../src/store/server/postgres-os-user.js';
import { runPostgresProgram } from '../../src/store/server/postgres-program.js';
import { createServerDatabase, dropServerDatabase, withServer } from '../support/databases.js';
import { createTenants, expectAllActive, expectAppliedOnce, readinessAround, untilCompleted } from '../support/process-tenants.js';
import { type ServiceProcess, ServiceProcesses } from '../support/service-process.js';

/**
 * The database going away under a running service: its sessions terminated by an administrator,
 * or the server restarted. The process must never exit, readiness must say so and recover on its
 * own, and every tenant provisioning at the time must reach ACTIVE with nothing applied twice.
 */
const TOKEN = 'outage-bootstrap-token-0123456789';
const TENANTS = 20;
// Small delays and quick retries: the outages should hit steps mid-way, many times.
const ENGINE = { MATIH_BOOTSTRAP_TOKEN: TOKEN, MATIH_SIM_DELAY_MS: '100', MATIH_POLL_MS: '100', MATIH_RETRY_BACKOFF: '1', MATIH_MAX_RETRIES: '10', MATIH_LOG_LEVEL: 'info' };

const processes = new ServiceProcesses();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await processes.killAll();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await processes.cleanup();
});

/** Waits for `fraction` of all steps, then `outage`, watching /ready around it: it must go down and come back. */
async function outageAt(service: ServiceProcess, ids: readonly string[], fraction: number, outage: () => Promise<void>): Promise<void> {
  const allSteps = ids.length * 17;
  await untilCompleted(service, TOKEN, ids, Math.floor(allSteps * fraction), 120_000);
  const seen = await readinessAround(service, outage);
  expect(seen.filter((s) => s !== 200).length, `readiness seen: ${seen.join(' ')}`).toBeGreaterThan(0);
  expect(seen.at(-1)).toBe(200);
  expect(service.running()).toBe(true);
}

async function terminateSessions(database: string): Promise<number> {
  return withServer(async (client) => {
    const result = await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
    return result.rowCount ?? 0;
  });
}

/** `pg_ctl restart -m fast` on a data directory, as the server's own OS user. */
async function pgCtlRestart(pgdata: string): Promise<void> {
  const binaries = await resolvePostgresBinaries();
  const runAs = await postgresRunAs(pino({ level: 'silent' }));
  const log = path.join(pgdata, 'log', 'postgres.log');
  const result = await runPostgresProgram(binaries.pgCtl, ['restart', '-D', pgdata, '-l', log, '-m', 'fast', '-w', '-t', '60', '-s'], runAs);
  // The service's supervisor may start the server itself in the gap between stop and start: then
  // pg_ctl's own start finds it running. Either way one server must run afterwards (checked by the caller).
  if (result.code !== 0 && !/another server might be running|lock file .* already exists/i.test(result.output)) {
    throw new Error(`pg_ctl restart failed: ${result.output}`);
  }
}

describe('the database going away under the service', { timeout: 300_000 }, () => {
  it(`DATABASE_URL: sessions terminated five times while ${TENANTS} tenants provision`, async () => {
    const url = await createServerDatabase();
    cleanups.push(() => dropServerDatabase(url));
    const service = await processes.start({ env: { ...ENGINE, DATABASE_URL: url } });
    const ids = await createTenants(service, TOKEN, TENANTS);
    const database = new URL(url).pathname.slice(1);
    for (let i = 1; i <= 5; i++) {
      await outageAt(service, ids, i / 7, async () => {
        expect(await terminateSessions(database)).toBeGreaterThan(0);
      });
    }
    await expectAllActive(service, TOKEN, ids, 180_000);
    await expectAppliedOnce(url, TENANTS);
    expect(service.stdout()).toContain('handing the job back');
    expect((await service.stop()).code).toBe(0);
  });

  it(`the embedded server: sessions terminated five times while ${TENANTS} tenants provision`, async () => {
    const service = await processes.start({ env: ENGINE });
    const url = (await fs.readFile(path.join(service.dataDir, 'postgres.url'), 'utf8')).trim();
    const ids = await createTenants(service, TOKEN, TENANTS);
    for (let i = 1; i <= 5; i++) {
      await outageAt(service, ids, i / 7, async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = 'matih' and pid <> pg_backend_pid()");
        } finally {
          await client.end();
        }
      });
    }
    await expectAllActive(service, TOKEN, ids, 180_000);
    await expectAppliedOnce(url, TENANTS);
    expect((await service.stop()).code).toBe(0);
  });

  it('DATABASE_URL: the server restarted (pg_ctl restart -m fast) mid-provisioning', async () => {
    // A server of this test's own: restarting the run's shared one would cut every other test file off.
    const dataDir = await processes.tempDir('matih-outage-server-');
    const server = await EmbeddedPostgres.start({ dataDir, logger: pino({ level: 'silent' }), durable: false, settings: { fsync: 'off' } });
    cleanups.push(() => server.stop());
    const service = await processes.start({ env: { ...ENGINE, DATABASE_URL: server.url, MATIH_TENANT_DB_PREFIX: 'outage_' } });
    const ids = await createTenants(service, TOKEN, TENANTS);
    await outageAt(service, ids, 0.4, () => pgCtlRestart(server.pgdata));
    await expectAllActive(service, TOKEN, ids, 180_000);
    await expectAppliedOnce(server.url, TENANTS);
    expect((await service.stop()).code).toBe(0);
  });

  it('the embedded server restarted (pg_ctl restart -m fast) under the service, mid-provisioning', async () => {
    const service = await processes.start({ env: ENGINE });
    const url = (await fs.readFile(path.join(service.dataDir, 'postgres.url'), 'utf8')).trim();
    const ids = await createTenants(service, TOKEN, TENANTS);
    await outageAt(service, ids, 0.4, () => pgCtlRestart(path.join(service.dataDir, 'postgres')));
    await expectAllActive(service, TOKEN, ids, 180_000);
    await expectAppliedOnce(url, TENANTS);
    expect((await service.stop()).code).toBe(0);
  });
});
