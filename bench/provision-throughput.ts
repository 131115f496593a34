/**
 * Benchmark (not a test): how fast the engine provisions Professional tenants with zero simulated
 * delay, beside its floor measured in the same run.
 *
 *   npx tsx bench/provision-throughput.ts [-n 200] [-c 8] [--cluster simulated|kubernetes] [--replicas 1]
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/provision-throughput.ts [...]
 *
 * Without DATABASE_URL it runs on the embedded PostgreSQL server, as the service starts it when
 * DATABASE_URL is unset, in a fresh temporary data directory that is removed at the end. With
 * DATABASE_URL, on a scratch database it creates on that server (and drops at the end, with the
 * tenant roles it made, prefix `bench_<hex>_`). Tenant databases are on the same server, as in the
 * service when TENANT_DATABASE_URL is unset.
 *
 * The floor: each tenant's database setup script (tenant-setup-script.ts, the SQL the driver sends
 * for a Professional tenant: role, nine schemas, grants, migrations, seed, CONNECT), built for N
 * fresh tenants and replayed through `pg` directly on C sessions at once, and nothing else. Its
 * tenants are dropped again (not timed) before the engine runs, so both see the same catalogs.
 *
 * Then N tenants are created (workers off) and the workers (C per replica) drain them: tenants per
 * second, SQL statements per tenant (every statement of every pg session of the process but the
 * bench's own, the statements of a multi-statement script counted one by one), and the cluster's
 * API requests per tenant: with the simulated cluster its store operations (statements on
 * sim_objects), with `--cluster kubernetes` the requests an HTTP fake of the API server
 * (test/support/fake-kube-api.ts, its controllers making what is applied ready at once) receives
 * from the real Kubernetes driver, discovery left out. Then 10 tenants created one at a time with
 * the workers running: create to ACTIVE without queueing.
 *
 * Prints one JSON line first:
 *   {"benchmark":"provision-throughput","n","tenantsPerSec","floorTenantsPerSec","ratio",
 *    "sqlStatementsPerTenant","apiRequestsPerTenant","peakRssMb", ...details}
 * then a table. peakRssMb is this process's peak resident set: the engine, the bench's clients and
 * (with --cluster kubernetes) the fake API server, not PostgreSQL's processes.
 */
import './support/closed-stdout.js';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { type Engine, buildEngine } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { CLOUD_PROVIDERS } from '../src/domain/cloud.js';
import { tenantDatabasePlan } from '../src/domain/tenant-database.js';
import { Tier } from '../src/domain/tiers.js';
import { validateNewTenant } from '../src/domain/tenant-validation.js';
import type { ClusterDriver, KubeObject } from '../src/drivers/contract.js';
import { scramSha256VerifierAsync } from '../src/drivers/database/scram-verifier.js';
import { serviceSchemas } from '../src/drivers/database/tenant-migrations.js';
import { type TenantSetup, sharedSchemasScript } from '../src/drivers/database/tenant-setup-script.js';
import { generateApiKey } from '../src/iam/api-key-format.js';
import { migrate } from '../src/store/migrate.js';
import type { Database } from '../src/store/open-database.js';
import { type ControlPlaneDatabase, openControlPlaneDatabase } from '../src/store/server/control-plane-database.js';
import { createTenant } from '../src/store/tenants/create-tenant.js';
import { FakeKubeApi, type RecordedRequest } from '../test/support/fake-kube-api.js';

const args = process.argv.slice(2);
const option = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const N = Number(option('-n') ?? 200);
const CONCURRENCY = Number(option('-c') ?? 8);
const REPLICAS = Number(option('--replicas') ?? 1);
const CLUSTER = option('--cluster') ?? 'simulated';
if (CLUSTER !== 'simulated' && CLUSTER !== 'kubernetes') throw new Error('--cluster is simulated or kubernetes');
const LIGHT = 10;
const serverUrl = process.env.DATABASE_URL || undefined;
const logger = pino({ level: 'silent' });

/* ---------------------------------- counting ---------------------------------------------- */

/** Statements of one query text: top-level semicolons outside quotes, dollar quotes and comments. */
function statementsIn(text: string): number {
  let count = 0;
  let pending = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      i = end < 0 ? text.length : end;
      pending = true;
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i))?.[0];
      if (tag) {
        const end = text.indexOf(tag, i + tag.length);
        i = end < 0 ? text.length : end + tag.length - 1;
        pending = true;
      }
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === ';') {
      if (pending) count++;
      pending = false;
    } else if (!/\s/.test(c)) {
      pending = true;
    }
  }
  return count + (pending ? 1 : 0);
}

const counts = { on: false, queries: 0, statements: 0, simStatements: 0 };
/** `--statements`: round trips by the start of their text, to see where a tenant's go. */
const byText = args.includes('--statements') ? new Map<string, number>() : undefined;
/** The bench's own sessions, not counted. */
const ownClients = new WeakSet<object>();
{
  type QueryFn = (this: pg.Client, ...a: unknown[]) => unknown;
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  const original = proto.query;
  proto.query = function counted(this: pg.Client, ...a: unknown[]) {
    if (counts.on && !ownClients.has(this)) {
      const first = a[0];
      const text = typeof first === 'string' ? first : ((first as { text?: string } | null)?.text ?? '');
      counts.queries++;
      counts.statements += statementsIn(text);
      if (/\bsim_objects\b/.test(text)) counts.simStatements++;
      if (byText) {
        const key = text.replace(/\s+/g, ' ').trim().slice(0, 90);
        byText.set(key, (byText.get(key) ?? 0) + 1);
      }
    }
    return original.apply(this, a);
  };
}

/** What the steps asked of the cluster driver: its verbs, counted on the engine's instance. */
interface VerbCounts {
  applies: number;
  /** Lists by a step's owner labels (tenant and step): one per kind per cluster step. */
  stepLists: number;
  otherLists: number;
  gets: number;
  deletes: number;
  awaitReady: number;
  probes: number;
}
const verbs: VerbCounts = { applies: 0, stepLists: 0, otherLists: 0, gets: 0, deletes: 0, awaitReady: 0, probes: 0 };

function countVerbs(cluster: ClusterDriver): void {
  const c = cluster as unknown as Record<string, (...a: unknown[]) => unknown>;
  const wrap = (name: string, tally: (...a: unknown[]) => void) => {
    const original = (c[name] as (...a: unknown[]) => unknown).bind(cluster);
    c[name] = (...a: unknown[]) => {
      if (counts.on) tally(...a);
      return original(...a);
    };
  };
  // Only what a step declares (carries its step label): the simulated chart's own objects are the stand-in helm-controller's.
  wrap('apply', (o) => void ((o as KubeObject).metadata.labels?.['matih.ai/step'] !== undefined && verbs.applies++));
  wrap('list', (_k, labels) => void ((labels as Record<string, string>)['matih.ai/step'] !== undefined ? verbs.stepLists++ : verbs.otherLists++));
  wrap('get', () => void verbs.gets++);
  wrap('delete', () => void verbs.deletes++);
  wrap('awaitReady', () => void verbs.awaitReady++);
  wrap('probe', () => void verbs.probes++);
}

/** The fake API server's requests by what they are; tallied as they come and then forgotten (they hold bodies). */
const requests = { total: 0, patches: 0, stepLists: 0, otherLists: 0, watches: 0, gets: 0, probes: 0, deletes: 0 };
function tallyRequests(fake: FakeKubeApi | undefined): void {
  if (!fake) return;
  const kind = (r: RecordedRequest): keyof typeof requests => {
    if (r.method === 'PATCH') return 'patches';
    if (r.method === 'DELETE') return 'deletes';
    if (r.path.includes('/proxy')) return 'probes';
    if (r.query.watch !== undefined) return 'watches';
    if (r.query.labelSelector !== undefined) return r.query.labelSelector.includes('matih.ai/step') ? 'stepLists' : 'otherLists';
    return 'gets';
  };
  for (const r of fake.requests) {
    if (r.discovery || !counts.on) continue;
    requests.total++;
    requests[kind(r)]++;
  }
  fake.requests.length = 0;
}

/* ---------------------------------- the floor --------------------------------------------- */

/** The tenants' database setup scripts, replayed through pg on `concurrency` sessions; seconds. */
async function floor(adminUrl: string, prefix: string, concurrency: number): Promise<{ seconds: number; statements: number }> {
  const password = randomBytes(24).toString('base64url');
  const setups: TenantSetup[] = [];
  for (let i = 0; i < N; i++) {
    const spec = tenantDatabasePlan(randomUUID(), `f-${randomBytes(5).toString('hex')}`, 'SCHEMA_PER_TENANT', prefix);
    setups.push({ spec, schemas: serviceSchemas(spec.schemas), verifier: await scramSha256VerifierAsync(password), connectionLimit: 20 });
  }
  const scripts = setups.map(sharedSchemasScript);
  const sessions = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      ownClients.add(client);
      await client.connect();
      return client;
    }),
  );
  let next = 0;
  const started = performance.now();
  await Promise.all(
    sessions.map(async (client) => {
      for (let i = next++; i < scripts.length; i = next++) await client.query(scripts[i] as string);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  // Not timed: the floor's tenants go again, so that the engine starts from the same catalogs.
  next = 0;
  await Promise.all(
    sessions.map(async (client) => {
      for (let i = next++; i < setups.length; i = next++) {
        const { spec } = setups[i] as TenantSetup;
        // DROP OWNED BY revokes a CONNECT the role holds itself (PostgreSQL 15 and older): under the driver's lock.
        await client.query(
          `begin; select pg_advisory_xact_lock(724003, 0); drop schema ${spec.schemas.map((s) => `"${s}"`).join(', ')} cascade; drop owned by "${spec.role}"; drop role "${spec.role}"; commit`,
        );
      }
    }),
  );
  await Promise.all(sessions.map((c) => c.end()));
  return { seconds, statements: statementsIn(scripts[0] as string) };
}

/* ---------------------------------- the engine -------------------------------------------- */

async function createTenants(database: Database, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const n = randomBytes(5).toString('hex');
    const key = generateApiKey();
    await createTenant(database.db, {
      tenant: validateNewTenant(
        { name: `Bench ${n}`, slug: `b-${n}`, tier: Tier.PROFESSIONAL, adminEmail: `admin-${n}@example.com` },
        { enabledCloudProviders: CLOUD_PROVIDERS },
      ),
      actor: 'bench',
      apiKey: { id: key.id, secretHash: key.secretHash },
    });
  }
}

/** Waits until `expected` tenants are ACTIVE, on a session of the bench's own (not counted). */
async function waitAllActive(poll: pg.Client, expected: number, fake: FakeKubeApi | undefined): Promise<void> {
  for (;;) {
    tallyRequests(fake);
    const row = await poll.query<{ n: string; failed: string }>(`select count(*) filter (where status = 'ACTIVE') as n, count(*) filter (where status = 'FAILED') as failed from tenants`);
    if (Number(row.rows[0]?.failed) > 0) throw new Error('a tenant FAILED');
    if (Number(row.rows[0]?.n) >= expected) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const round = (x: number, digits = 1) => Number(x.toFixed(digits));

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  ownClients.add(client);
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
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
  const dataDir = url === undefined ? await fs.mkdtemp(path.join(os.tmpdir(), 'matih-bench-')) : undefined;
  const kubeDir = await fs.mkdtemp(path.join(os.tmpdir(), 'matih-bench-kube-'));
  const fake = CLUSTER === 'kubernetes' ? await FakeKubeApi.start({ controllers: true }) : undefined;
  const kubeconfig = fake ? await fake.writeKubeconfig(kubeDir) : path.join(kubeDir, 'kubeconfig');
  const config = loadConfig({
    MATIH_WORKER_CONCURRENCY: String(CONCURRENCY),
    MATIH_POLL_MS: '20',
    MATIH_SIM_DELAY_MS: '0',
    MATIH_LOG_LEVEL: 'silent',
    ...(fake ? { MATIH_CLUSTER: 'kubernetes', KUBECONFIG: kubeconfig } : {}),
  });
  const replicas: { database: ControlPlaneDatabase; engine: Engine }[] = [];
  let poll: pg.Client | undefined;
  try {
    for (let r = 0; r < REPLICAS; r++) {
      const database = await openControlPlaneDatabase({ databaseUrl: url, dataDir: dataDir ?? os.tmpdir(), databasePoolSize: CONCURRENCY + 2 }, logger);
      const secretKey = Buffer.alloc(32, 1).toString('base64');
      const engine = await buildEngine(database.db, { ...config, tenantDatabases: { url: database.url, namePrefix: rolePrefix }, secretKey }, logger, { owner: `bench-${r}` });
      countVerbs(engine.clusterDriver);
      replicas.push({ database, engine });
      await migrate(database.db);
    }
    const main = replicas[0]!.database;
    poll = new pg.Client({ connectionString: main.url });
    ownClients.add(poll);
    await poll.connect();

    const floored = await floor(main.url, rolePrefix, CONCURRENCY);
    await createTenants(main, N);

    counts.on = true;
    tallyRequests(fake);
    const started = performance.now();
    for (const r of replicas) r.engine.worker.start();
    await waitAllActive(poll, N, fake);
    const seconds = (performance.now() - started) / 1000;
    tallyRequests(fake);
    counts.on = false;

    // Where a tenant's time goes while the workers drain: each step's mean wall time (--statements).
    const stepTimes = byText
      ? (
          await poll.query<{ name: string; ms: number }>(
            `select name, avg(extract(epoch from completed_at - started_at) * 1000)::int as ms from provisioning_steps
             where completed_at is not null and started_at is not null group by name order by ms desc`,
          )
        ).rows
      : [];
    const queued = (await poll.query<{ ms: number }>('select extract(epoch from provisioning_completed_at - created_at) * 1000 as ms from tenants')).rows
      .map((r) => Number(r.ms))
      .sort((a, b) => a - b);
    const light: number[] = [];
    for (let i = 0; i < LIGHT; i++) {
      const t0 = performance.now();
      await createTenants(main, 1);
      for (const r of replicas) r.engine.worker.wake();
      await waitAllActive(poll, N + i + 1, fake);
      light.push(performance.now() - t0);
    }
    light.sort((a, b) => a - b);

    const per = (x: number, digits = 1) => round(x / N, digits);
    const tenantsPerSec = N / seconds;
    const floorTenantsPerSec = N / floored.seconds;
    const apiRequests = fake ? requests.total : counts.simStatements;
    // Every list is one per kind per step (test/steps/cluster-step-requests.test.ts): a step's own by its owner labels, VERIFY's of the tenant's releases.
    const target = verbs.applies + verbs.stepLists + verbs.otherLists;
    const line = {
      benchmark: 'provision-throughput',
      n: N,
      tenantsPerSec: round(tenantsPerSec, 2),
      floorTenantsPerSec: round(floorTenantsPerSec, 2),
      ratio: round(tenantsPerSec / floorTenantsPerSec, 3),
      sqlStatementsPerTenant: per(counts.statements),
      apiRequestsPerTenant: per(apiRequests),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      cluster: CLUSTER,
      database: serverUrl ? 'external' : 'embedded',
      concurrency: CONCURRENCY,
      replicas: REPLICAS,
      sqlRoundTripsPerTenant: per(counts.queries),
      floorSqlStatementsPerTenant: floored.statements,
      objectsAppliedPerTenant: per(verbs.applies),
      listsPerTenant: per(verbs.stepLists + verbs.otherLists),
      apiRequestsTargetPerTenant: per(target),
      createToActiveQueuedMs: { p50: Math.round(percentile(queued, 50)), p99: Math.round(percentile(queued, 99)) },
      createToActiveLightLoadMs: { p50: Math.round(percentile(light, 50)), p99: Math.round(percentile(light, 99)) },
    };
    console.log(JSON.stringify(line));
    const rows: [string, string][] = [
      ['tenants/s (floor, ratio)', `${line.tenantsPerSec} (${line.floorTenantsPerSec}, ${line.ratio}; target >= 0.6)`],
      ['SQL statements/tenant (round trips)', `${line.sqlStatementsPerTenant} (${line.sqlRoundTripsPerTenant}); the floor's script: ${floored.statements} in 1`],
      [`API requests/tenant (${fake ? 'fake API server' : 'sim_objects statements'})`, `${line.apiRequestsPerTenant}; target <= applied + lists = ${line.apiRequestsTargetPerTenant}`],
      [
        'cluster verbs/tenant',
        `apply ${per(verbs.applies)}, step lists ${per(verbs.stepLists)}, other lists ${per(verbs.otherLists)}, get ${per(verbs.gets)}, delete ${per(verbs.deletes)}, awaitReady ${per(verbs.awaitReady)}, probe ${per(verbs.probes)}`,
      ],
      ...(fake
        ? ([
            [
              'fake API requests/tenant',
              `PATCH ${per(requests.patches)}, step lists ${per(requests.stepLists)}, other lists ${per(requests.otherLists)}, GET ${per(requests.gets)}, watch ${per(requests.watches)}, probe ${per(requests.probes)}, DELETE ${per(requests.deletes)}`,
            ],
          ] as [string, string][])
        : []),
      ['create to ACTIVE, queued p50/p99 ms', `${line.createToActiveQueuedMs.p50}/${line.createToActiveQueuedMs.p99}`],
      ['create to ACTIVE, light load p50/p99 ms', `${line.createToActiveLightLoadMs.p50}/${line.createToActiveLightLoadMs.p99}`],
      ['peak RSS MB', String(line.peakRssMb)],
    ];
    console.log(`\n${line.database} database, ${CLUSTER} cluster, ${REPLICAS} replica(s), ${CONCURRENCY} workers each, ${N} Professional tenants`);
    for (const [k, v] of rows) console.log(`  ${k.padEnd(44)} ${v}`);
    if (byText) {
      console.log('\nround trips per tenant by statement (--statements)');
      for (const [text, n] of [...byText].sort((a, b) => b[1] - a[1])) if (n / N >= 0.1) console.log(`  ${String(per(n, 2)).padStart(6)}  ${text}`);
      console.log('\nmean wall time of each step during the drain, ms');
      for (const { name, ms } of stepTimes) console.log(`  ${String(ms).padStart(6)}  ${name}`);
    }
  } finally {
    await poll?.end().catch(() => undefined);
    // close() of the embedded database also stops its server.
    for (const r of replicas) {
      await r.engine.stop();
      await r.database.close();
    }
    await fake?.close();
    await fs.rm(kubeDir, { recursive: true, force: true });
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

await main();
