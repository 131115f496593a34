/**
 * Benchmark (not a test): how fast the engine provisions tenants with zero simulated delay.
 *
 *   npx tsx bench/provision-throughput.ts [-n 500] [-c 8]
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/provision-throughput.ts [-n 500] [-c 8]
 *
 * Without DATABASE_URL it runs one replica on the embedded PostgreSQL server, as the service
 * starts it when DATABASE_URL is unset: in a fresh temporary data directory, stopped and removed
 * at the end. With DATABASE_URL (a PostgreSQL server; the bench creates and drops a scratch
 * database on it, and the tenant roles it made) it runs with 1 and 2 replicas, each replica its
 * own pool and workers. N tenants are created first (workers off), then the workers drain them:
 * tenants per second, database commits per step (pg_stat_database), and the time from create to
 * ACTIVE (p50/p99; it includes the wait in the queue). A second, light-load pass creates tenants
 * one at a time with the workers running: create-to-ACTIVE without queueing.
 * Prints one JSON line per configuration, then a table.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { type Engine, buildEngine } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { CLOUD_PROVIDERS } from '../src/domain/cloud.js';
import { SYNCHRONOUS_STEPS, planFor } from '../src/domain/plans.js';
import { Tier } from '../src/domain/tiers.js';
import { validateNewTenant } from '../src/domain/tenant-validation.js';
import { generateApiKey } from '../src/iam/api-key-format.js';
import { migrate } from '../src/store/migrate.js';
import type { Database, DatabaseKind } from '../src/store/open-database.js';
import { type ControlPlaneDatabase, openControlPlaneDatabase } from '../src/store/server/control-plane-database.js';
import { EMBEDDED_DATABASE } from '../src/store/server/embedded-postgres.js';
import { createTenant } from '../src/store/tenants/create-tenant.js';

const args = process.argv.slice(2);
const arg = (flag: string, fallback: number) => {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N = arg('-n', 500);
const CONCURRENCY = arg('-c', 8);
const LIGHT = 20;
const serverUrl = process.env.DATABASE_URL || undefined;
const kind: DatabaseKind = serverUrl ? 'external' : 'embedded';
const stepsPerTenant = planFor(Tier.PROFESSIONAL).steps.filter((s) => !SYNCHRONOUS_STEPS.has(s.name)).length;
const logger = pino({ level: 'silent' });

interface Result {
  benchmark: 'provision-throughput';
  /** `embedded`: the server the service starts itself (DATABASE_URL unset); `external`: DATABASE_URL. */
  database: DatabaseKind;
  replicas: number;
  workerConcurrencyPerReplica: number;
  tenants: number;
  seconds: number;
  tenantsPerSecond: number;
  /** Every commit in the database during the drain, per step. */
  commitsPerStep: number;
  /**
   * The engine's own: minus the test doubles' calls (the simulated cluster's and the embedded DNS's observe and apply per
   * resource, stored in the same database) and the bench's own polling.
   */
  engineCommitsPerStep: number;
  createToActiveQueuedMs: { p50: number; p99: number };
  createToActiveLightLoadMs: { p50: number; p99: number };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** A statement as the server's administrator, on `url` (a maintenance database: not the one measured). */
async function adminQuery<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Where the commits of `name` are counted: a session on another database of the same server. */
interface Stats {
  adminUrl: string;
  name: string;
}

async function commits(stats: Stats): Promise<number> {
  // Statistics are flushed lazily; ask for a fresh snapshot.
  const rows = await adminQuery<{ n: string }>(
    stats.adminUrl,
    `select pg_stat_force_next_flush(), (select xact_commit from pg_stat_database where datname = '${stats.name}')::text as n`,
  );
  return Number(rows[0]?.n ?? 0);
}

async function createTenants(database: Database, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const n = randomBytes(5).toString('hex');
    const key = generateApiKey();
    await createTenant(database.db, {
      tenant: validateNewTenant(
        { name: `Bench ${n}`, slug: `b-${n}`, tier: 'PROFESSIONAL', adminEmail: `admin-${n}@example.com` },
        { enabledCloudProviders: CLOUD_PROVIDERS },
      ),
      actor: 'bench',
      apiKey: { id: key.id, secretHash: key.secretHash },
    });
  }
}

async function activeLatencies(database: Database): Promise<number[]> {
  const rows = await database.db.selectFrom('tenants').select(['createdAt', 'provisioningCompletedAt', 'status']).execute();
  if (rows.some((r) => r.status !== 'ACTIVE')) throw new Error('not every tenant is ACTIVE');
  return rows.map((r) => r.provisioningCompletedAt!.getTime() - r.createdAt.getTime()).sort((a, b) => a - b);
}

let benchQueries = 0;

async function waitAllActive(database: Database, expected: number): Promise<void> {
  for (;;) {
    benchQueries++;
    const row = await database.db
      .selectFrom('tenants')
      .select(({ fn }) => fn.countAll<string>().as('n'))
      .where('status', '=', 'ACTIVE')
      .executeTakeFirstOrThrow();
    if (Number(row.n) >= expected) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function run(replicaCount: number): Promise<Result> {
  // external: a scratch database, and a tenant role prefix of its own (roles are server-wide).
  const dbName = serverUrl ? `matih_bench_${randomBytes(4).toString('hex')}` : undefined;
  const rolePrefix = dbName ? `${dbName.slice('matih_'.length)}_` : '';
  let url: string | undefined;
  if (serverUrl && dbName) {
    await adminQuery(serverUrl, `create database ${dbName}`);
    const u = new URL(serverUrl);
    u.pathname = `/${dbName}`;
    url = u.toString();
  }
  // embedded: a fresh data directory, as a first `npm start` makes it.
  const dataDir = url === undefined ? await fs.mkdtemp(path.join(os.tmpdir(), 'matih-bench-')) : undefined;
  const BENCH_SECRET_KEY = Buffer.alloc(32, 1).toString('base64');
  const config = loadConfig({ MATIH_WORKER_CONCURRENCY: String(CONCURRENCY), MATIH_POLL_MS: '20', MATIH_SIM_DELAY_MS: '0', MATIH_LOG_LEVEL: 'silent' });
  const replicas: { database: ControlPlaneDatabase; engine: Engine }[] = [];
  try {
    for (let r = 0; r < replicaCount; r++) {
      // As createApp opens it: the embedded server under dataDir, or a pool on the scratch database (dataDir unused).
      const database = await openControlPlaneDatabase({ databaseUrl: url, dataDir: dataDir ?? os.tmpdir(), databasePoolSize: CONCURRENCY + 2 }, logger);
      replicas.push({
        database,
        // Tenant databases on the control plane's server, as the service does when TENANT_DATABASE_URL is unset.
        engine: await buildEngine(database.db, { ...config, tenantDatabases: { url: database.url, namePrefix: rolePrefix }, secretKey: BENCH_SECRET_KEY }, logger, `bench-${r}`),
      });
      await migrate(database.db);
    }
    const main = replicas[0]!.database;
    const stats: Stats = dbName && serverUrl ? { adminUrl: serverUrl, name: dbName } : { adminUrl: maintenanceUrl(main.url), name: EMBEDDED_DATABASE };
    await createTenants(main, N);

    benchQueries = 0;
    const before = await commits(stats);
    const started = performance.now();
    for (const r of replicas) r.engine.worker.start();
    await waitAllActive(main, N);
    const seconds = (performance.now() - started) / 1000;
    // Other sessions flush their statistics at most once a second.
    await new Promise((r) => setTimeout(r, 1500));
    const after = await commits(stats);
    const polled = benchQueries;
    const resources = await main.db.selectFrom('simResources').select(({ fn }) => fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const simCalls = 2 * Number(resources.n);
    const queued = await activeLatencies(main);

    // Light load: one tenant at a time, workers running, measured from create to ACTIVE.
    const light: number[] = [];
    for (let i = 0; i < LIGHT; i++) {
      const t0 = performance.now();
      await createTenants(main, 1);
      for (const r of replicas) r.engine.worker.wake();
      await waitAllActive(main, N + i + 1);
      light.push(performance.now() - t0);
    }
    light.sort((a, b) => a - b);

    return {
      benchmark: 'provision-throughput',
      database: kind,
      replicas: replicaCount,
      workerConcurrencyPerReplica: CONCURRENCY,
      tenants: N,
      seconds: Number(seconds.toFixed(2)),
      tenantsPerSecond: Number((N / seconds).toFixed(1)),
      // Commits during the drain, divided by the steps run (claims and final commits included).
      commitsPerStep: Number(((after - before) / (N * stepsPerTenant)).toFixed(2)),
      engineCommitsPerStep: Number(((after - before - simCalls - polled) / (N * stepsPerTenant)).toFixed(2)),
      createToActiveQueuedMs: { p50: Math.round(percentile(queued, 50)), p99: Math.round(percentile(queued, 99)) },
      createToActiveLightLoadMs: { p50: Math.round(percentile(light, 50)), p99: Math.round(percentile(light, 99)) },
    };
  } finally {
    // close() of the embedded database also stops its server.
    for (const r of replicas) {
      await r.engine.stop();
      await r.database.close();
    }
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
    if (serverUrl && dbName) {
      await adminQuery(serverUrl, `drop database if exists ${dbName} with (force)`);
      await adminQuery(
        serverUrl,
        `do $$ declare r record; begin
          for r in select rolname from pg_roles where rolname like '${rolePrefix.replaceAll('_', '\\_')}%' loop execute format('drop role %I', r.rolname); end loop;
        end $$`,
      );
    }
  }
}

/** The embedded server's maintenance database `postgres`: its sessions do not count in the measured one's statistics. */
function maintenanceUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

const results: Result[] = [];
for (const replicas of kind === 'external' ? [1, 2] : [1]) {
  const result = await run(replicas);
  console.log(JSON.stringify(result));
  results.push(result);
}
console.log('\ndatabase  replicas  tenants  seconds  tenants/s  commits/step (engine)  queued p50/p99 ms  light-load p50/p99 ms');
for (const r of results) {
  console.log(
    `${r.database.padEnd(9)} ${String(r.replicas).padStart(8)} ${String(r.tenants).padStart(8)} ${String(r.seconds).padStart(8)} ${String(r.tenantsPerSecond).padStart(10)} ${`${r.commitsPerStep} (${r.engineCommitsPerStep})`.padStart(22)} ${`${r.createToActiveQueuedMs.p50}/${r.createToActiveQueuedMs.p99}`.padStart(18)} ${`${r.createToActiveLightLoadMs.p50}/${r.createToActiveLightLoadMs.p99}`.padStart(22)}`,
  );
}
