/**
 * Benchmark (not a test): one full pass of the desired-state reconciler over many live tenants
 * that match their declaration, in the simulated cluster.
 *
 *   npx tsx bench/reconcile-sweep.ts [-n 10000] [-c 16] [--page 250] [--seeds 3] [--rounds 3] [--keep]
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/reconcile-sweep.ts [...]
 *
 * Without DATABASE_URL it runs on the embedded PostgreSQL server, as the service starts it when
 * DATABASE_URL is unset: in a fresh temporary data directory, stopped and removed at the end
 * (--keep: stopped, the directory kept). With DATABASE_URL (a PostgreSQL server) it runs on a
 * scratch database it creates there and drops at the end, with the tenant roles it made (--keep:
 * both kept). Provisioning 10,000 tenants for real would take half an hour, so the bench
 * provisions `--seeds` tenants through the engine and clones their rows in bulk SQL: tenant,
 * declaration, infrastructure record, provisioning state with phase outputs, the simulated
 * cluster's objects, DNS zone, records and delegation, and in the tenant database each clone's
 * role, nine schemas and migration table. The sweep then observes all of it for real: cluster
 * inventory, database catalog, DNS. It must find no drift (the bench fails if it does).
 *
 * After a first sweep that pays for cold caches, `--rounds` rounds (default 3) each time the floor
 * and then a sweep; the best of each is reported. The floor is the same page reads with no
 * comparison: per page of `--page` tenants, the candidates (the next page listed while one is
 * read, as the sweep does), the cluster inventory, the tenant databases (observeMany) and DNS
 * zones (observeZones) the steps would ask for, and the marking of the page as reconciled, sent
 * directly through the same drivers, plus the parent zone once per pass; no step's observe, no
 * detector, no sweep lease.
 *
 * Prints exactly one JSON line first,
 *   {"benchmark":"reconcile-sweep","n","sweepSec","queriesPerTenant","floorSweepSec","peakRssMb"},
 * then a table. Queries are counted at the driver (pg.Client.query): every round trip of the
 * pass, BEGIN and COMMIT included. peakRssMb is this process's peak resident set (the service runs
 * in it), seeding included.
 */
import './support/closed-stdout.js';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { buildEngine, type Engine } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { CLOUD_PROVIDERS } from '../src/domain/cloud.js';
import { validateNewTenant } from '../src/domain/tenant-validation.js';
import { DriftDetector } from '../src/engine/drift-detector.js';
import { InfrastructureReconciler, type SweepSummary } from '../src/engine/reconciler.js';
import { generateApiKey } from '../src/iam/api-key-format.js';
import { migrate } from '../src/store/migrate.js';
import type { Database, DatabaseKind } from '../src/store/open-database.js';
import { listReconcileCandidates } from '../src/store/reconcile/list-reconcile-candidates.js';
import { markReconciled } from '../src/store/reconcile/mark-reconciled.js';
import { recordedDatabase } from '../src/steps/handlers/setup-database.js';
import { LABEL } from '../src/steps/manifests/index.js';
import { type ControlPlaneDatabase, openControlPlaneDatabase } from '../src/store/server/control-plane-database.js';
import { createTenant } from '../src/store/tenants/create-tenant.js';
import { cloneTenants } from './support/clone-tenants.js';

const args = process.argv.slice(2);
const arg = (flag: string, fallback: number) => {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N = arg('-n', 10_000);
const PARALLELISM = arg('-c', 16);
const PAGE = arg('--page', 250);
const SEEDS = arg('--seeds', 3);
const ROUNDS = Math.max(1, arg('--rounds', 3));
const KEEP = args.includes('--keep');
const serverUrl = process.env.DATABASE_URL || undefined;
const logger = pino({ level: 'silent' });
const BENCH_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

/** The JSON line: these fields, in this order (issue 17), so that runs compare by script. */
interface Line {
  benchmark: 'reconcile-sweep';
  n: number;
  sweepSec: number;
  queriesPerTenant: number;
  floorSweepSec: number;
  peakRssMb: number;
}

/** The table's extra figures. */
interface Detail {
  /** `embedded`: the server the service starts itself (DATABASE_URL unset); `external`: DATABASE_URL. */
  database: DatabaseKind;
  parallelism: number;
  pageSize: number;
  rounds: number;
  seedSeconds: number;
  sweepSeconds: number[];
  floorSeconds: number[];
  floorQueriesPerTenant: number;
  coldSeconds: number;
  coldQueriesPerTenant: number;
}

/* ---------------------------------- query counting ---------------------------------------- */

let queries = 0;

function countCalls(proto: object, method: string): void {
  let owner: object | null = proto;
  while (owner && !Object.prototype.hasOwnProperty.call(owner, method)) owner = Object.getPrototypeOf(owner) as object | null;
  if (!owner) throw new Error(`no method ${method} to count`);
  const target = owner as Record<string, (...a: unknown[]) => unknown>;
  const original = target[method]!;
  target[method] = function counted(this: unknown, ...a: unknown[]) {
    queries++;
    return original.apply(this, a);
  };
}

// Every session is a pg.Client: the control plane's pool, the tenant database driver's, the bench's.
countCalls(pg.Client.prototype, 'query');

/* ---------------------------------- seeding ----------------------------------------------- */

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function provisionSeeds(database: Database, engine: Engine, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const n = randomBytes(4).toString('hex');
    const key = generateApiKey();
    await createTenant(database.db, {
      tenant: validateNewTenant(
        { name: `Bench seed ${n}`, slug: `bench-seed-${n}`, tier: 'PROFESSIONAL', adminEmail: `seed-${n}@example.com` },
        { enabledCloudProviders: CLOUD_PROVIDERS },
      ),
      actor: 'bench',
      apiKey: { id: key.id, secretHash: key.secretHash },
    });
  }
  engine.worker.start();
  for (;;) {
    const rows = await database.db.selectFrom('tenants').select('status').execute();
    if (rows.some((r) => r.status === 'FAILED')) throw new Error('a seed tenant failed to provision');
    if (rows.length === count && rows.every((r) => r.status === 'ACTIVE')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // No polling worker during the measured sweeps: its queries are not the reconciler's.
  await engine.worker.stop();
}

/* ---------------------------------- the run ----------------------------------------------- */

async function timedSweep(reconciler: InfrastructureReconciler): Promise<{ summary: SweepSummary; seconds: number; queries: number }> {
  queries = 0;
  const started = performance.now();
  const summary = await reconciler.sweepOnce();
  const seconds = (performance.now() - started) / 1000;
  return { summary, seconds, queries };
}

/**
 * The floor: the sweep's page reads sent directly through the same drivers, nothing compared.
 * Returns the tenants read, the seconds and the queries.
 */
async function timedFloor(db: Database['db'], engine: Engine): Promise<{ tenants: number; seconds: number; queries: number }> {
  const { clusterDriver: cluster, tenantDatabase, dns } = engine;
  if (!cluster.inventory || !tenantDatabase.observeMany || !dns.observeZones) throw new Error('the floor needs the batched reads of the simulated cluster, the tenant database and the embedded DNS');
  queries = 0;
  const started = performance.now();
  let tenants = 0;
  let firstPage = true;
  const parents = new Set<string>();
  // As the sweep does: the next page is listed while this one is read.
  let next = listReconcileCandidates(db, { limit: PAGE });
  for (;;) {
    const page = await next;
    const last = page.at(-1);
    const more = page.length >= PAGE && last !== undefined;
    if (more) next = listReconcileCandidates(db, { after: last.tenantId, limit: PAGE });
    const specs = page.flatMap((c) => recordedDatabase(c.tenantId, c.phaseOutputs.SETUP_DATABASE)?.spec ?? []);
    const zones = page.flatMap((c) => {
      const zone = c.phaseOutputs.CREATE_DNS_ZONE?.zone;
      const parent = c.phaseOutputs.CREATE_DNS_ZONE?.parentZone;
      if (typeof parent === 'string') parents.add(parent);
      return typeof zone === 'string' ? [zone] : [];
    });
    await Promise.all([
      cluster.inventory(page.map((c) => ({ labels: { [LABEL.tenantId]: c.tenantId }, namespace: c.namespace }))),
      tenantDatabase.observeMany(specs),
      dns.observeZones(zones),
      ...(firstPage ? [...parents].map((p) => dns.observeZone(p)) : []),
    ]);
    firstPage = false;
    await markReconciled(db, page.map((c) => c.tenantId));
    tenants += page.length;
    if (!more) break;
  }
  return { tenants, seconds: (performance.now() - started) / 1000, queries };
}

async function run(count: number): Promise<{ line: Line; detail: Detail }> {
  // external: a scratch database, and a tenant role prefix of its own (roles are server-wide).
  const dbName = serverUrl ? `matih_bench_${randomBytes(4).toString('hex')}` : undefined;
  let url: string | undefined;
  if (serverUrl && dbName) {
    await adminQuery(serverUrl, `create database ${dbName}`);
    const u = new URL(serverUrl);
    u.pathname = `/${dbName}`;
    url = u.toString();
  }
  const rolePrefix = dbName ? `${dbName.slice('matih_'.length)}_` : '';
  // embedded: a fresh data directory, as a first `npm start` makes it.
  const dataDir = url === undefined ? await fs.mkdtemp(path.join(os.tmpdir(), 'matih-bench-')) : undefined;
  const config = loadConfig({
    MATIH_SIM_DELAY_MS: '0',
    MATIH_LOG_LEVEL: 'silent',
    MATIH_POLL_MS: '20',
    MATIH_RECONCILE_INTERVAL_S: '0',
    MATIH_DB_POOL_SIZE: String(PARALLELISM + 4),
  });
  let database: ControlPlaneDatabase | undefined;
  let engine: Engine | undefined;
  try {
    // As createApp opens it: the embedded server under dataDir, or a pool on the scratch database (dataDir unused).
    database = await openControlPlaneDatabase({ databaseUrl: url, dataDir: dataDir ?? os.tmpdir(), databasePoolSize: PARALLELISM + 4 }, logger);
    await migrate(database.db);
    // Tenant databases on the control plane's server, as the service does when TENANT_DATABASE_URL is unset.
    const tenantDatabases = { url: database.url, namePrefix: rolePrefix };
    engine = await buildEngine(database.db, { ...config, tenantDatabases, secretKey: BENCH_SECRET_KEY }, logger, { owner: 'bench' });

    const seedStart = performance.now();
    await provisionSeeds(database, engine, SEEDS);
    const { db } = database;
    await cloneTenants((text) => sql.raw(text).execute(db), count - SEEDS);
    const seedSeconds = (performance.now() - seedStart) / 1000;

    // The clones must match their declarations, or the pass below measures repairs.
    const detector = new DriftDetector({ cluster: engine.clusterDriver, tenantDatabase: engine.tenantDatabase, dns: engine.dns }, engine.steps);
    for (const c of await listReconcileCandidates(database.db, { limit: 5, after: '80000000-0000-0000-0000-000000000000' })) {
      const differences = await detector.detect(c);
      if (differences.length > 0) throw new Error(`clone ${c.slug} differs: ${differences.map((d) => d.message).join('; ')}`);
    }

    // The engine's reconciler with this bench's page size and parallelism.
    const reconciler = new InfrastructureReconciler(database.db, detector, { owner: 'bench', intervalMs: 0, maxJobs: 4, maxRetries: 3, parallelism: PARALLELISM, pageSize: PAGE }, logger);
    const cold = await timedSweep(reconciler);
    const sweeps: Awaited<ReturnType<typeof timedSweep>>[] = [];
    const floors: Awaited<ReturnType<typeof timedFloor>>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      floors.push(await timedFloor(database.db, engine));
      sweeps.push(await timedSweep(reconciler));
    }
    for (const pass of [cold, ...sweeps]) {
      if (pass.summary.tenantsChecked !== count || pass.summary.drifted > 0 || pass.summary.errors > 0) {
        throw new Error(`the sweep should see ${count} matching tenants: ${JSON.stringify(pass.summary)}`);
      }
    }
    for (const floor of floors) if (floor.tenants !== count) throw new Error(`the floor should read ${count} tenants, not ${floor.tenants}`);
    const best = <T extends { seconds: number }>(passes: T[]) => passes.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const sweep = best(sweeps);
    const floor = best(floors);
    const perTenant = (q: number) => Number((q / count).toFixed(3));
    return {
      line: {
        benchmark: 'reconcile-sweep',
        n: sweep.summary.tenantsChecked,
        sweepSec: Number(sweep.seconds.toFixed(2)),
        queriesPerTenant: perTenant(sweep.queries),
        floorSweepSec: Number(floor.seconds.toFixed(2)),
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      },
      detail: {
        database: database.kind,
        parallelism: PARALLELISM,
        pageSize: PAGE,
        rounds: ROUNDS,
        seedSeconds: Number(seedSeconds.toFixed(1)),
        sweepSeconds: sweeps.map((p) => Number(p.seconds.toFixed(2))),
        floorSeconds: floors.map((p) => Number(p.seconds.toFixed(2))),
        floorQueriesPerTenant: perTenant(floor.queries),
        coldSeconds: Number(cold.seconds.toFixed(2)),
        coldQueriesPerTenant: perTenant(cold.queries),
      },
    };
  } finally {
    await engine?.stop();
    // close() of the embedded database also stops its server.
    await database?.close();
    if (dataDir && KEEP) console.log(`kept data directory ${dataDir} (the server is stopped: MATIH_DATA_DIR=${dataDir} npm start runs on it)`);
    else if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
    if (serverUrl && dbName && KEEP) console.log(`kept database ${dbName} (roles ${rolePrefix}*)`);
    else if (serverUrl && dbName) {
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

const { line, detail } = await run(N);
console.log(JSON.stringify(line));
const ratio = (line.sweepSec / line.floorSweepSec).toFixed(2);
const rows: [string, string][] = [
  ['database', detail.database],
  ['tenants', String(line.n)],
  ['page size, parallelism', `${detail.pageSize}, ${detail.parallelism}`],
  [`sweep s (best of ${detail.rounds})`, `${line.sweepSec} (${detail.sweepSeconds.join(', ')})`],
  [`floor s (best of ${detail.rounds})`, `${line.floorSweepSec} (${detail.floorSeconds.join(', ')})`],
  ['sweep / floor', ratio],
  ['tenants/s', String(Math.round(line.n / line.sweepSec))],
  ['queries/tenant: sweep, floor', `${line.queriesPerTenant}, ${detail.floorQueriesPerTenant}`],
  ['cold sweep s (queries/tenant)', `${detail.coldSeconds} (${detail.coldQueriesPerTenant})`],
  ['seed s', String(detail.seedSeconds)],
  ['peak RSS MB', String(line.peakRssMb)],
];
console.log('');
for (const [name, value] of rows) console.log(`${name.padEnd(30)} ${value}`);
