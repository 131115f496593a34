/**
 * Benchmark: POST /api/v1/tenants (the control-plane tier transaction) over real HTTP with
 * keep-alive, N requests from C concurrent clients after a short warm-up, beside its floor measured
 * in the same run: the SQL one create sends, captured from a real create and replayed through `pg`
 * directly (no HTTP, no Fastify, no Kysely) from C sessions (bench/create-tenant-floor.ts).
 *
 *   npx tsx bench/create-tenant.ts [-n 2000] [-c 16] [--warmup N] [--server-url URL] [--only embedded|server] [--compare]
 *   DATABASE_URL=... npx tsx bench/create-tenant.ts --url URL --token TOKEN [-n 2000] [-c 16] [--warmup N]
 *
 * Without --url the service runs in this process as `npm start` runs it (its default log level,
 * into a file; the engine as MATIH_WORKER_CONCURRENCY says, workers off unless set), on:
 *   server    the PostgreSQL server at --server-url (default: DATABASE_URL, else
 *             postgres://postgres@127.0.0.1:5432/postgres): a scratch database matih_bench_<hex> with
 *             MATIH_TENANT_DB_PREFIX=bench_<hex>_, dropped at the end with every role and database
 *             named with that prefix. The default.
 *   embedded  DATABASE_URL unset for the service: the embedded PostgreSQL server under a fresh
 *             temporary MATIH_DATA_DIR, stopped and removed at the end (`--only embedded`, or
 *             `--compare` for both, embedded first, with the ratios embedded/server).
 * After the measured run the service's background work stops and the floor runs on the same
 * database. With --url it measures that running service, and replays the floor on DATABASE_URL
 * (that service's database) when set.
 *
 * Prints one JSON line first, then a table. Exits 1 if any request or floor transaction (warm-ups
 * included) failed.
 */
import './support/closed-stdout.js';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { type App, LOGGER_OPTIONS, createApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { CloudProvider } from '../src/domain/cloud.js';
import type { CreateTenantRequest } from '../src/domain/tenant.js';
import { validateNewTenant } from '../src/domain/tenant-validation.js';
import { generateApiKey } from '../src/iam/api-key-format.js';
import { openDatabase } from '../src/store/open-database.js';
import { createTenant } from '../src/store/tenants/create-tenant.js';
import { type CapturedStatement, type FloorResult, captureCreate, replayFloor, replayer, startHttpFloor } from './create-tenant-floor.js';

const REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const SIDES = ['embedded', 'server'] as const;
type Side = (typeof SIDES)[number];

interface Options {
  url: string | undefined;
  token: string | undefined;
  n: number;
  concurrency: number;
  warmup: number;
  serverUrl: string;
  sides: readonly Side[];
}

interface Target {
  url: string;
  token: string;
  /** `embedded` or `external` (the service's database kind), `unknown` when /ready did not say. */
  database: string;
  /** In-process: the service's MATIH_WORKER_CONCURRENCY (0: workers off); undefined with --url. */
  workerConcurrency: number | undefined;
  /** In-process: the service's log level; undefined with --url. */
  logLevel: string | undefined;
  /** The database the floor replays on; undefined: no floor (--url without DATABASE_URL). */
  floorUrl: string | undefined;
  /** The service's pool size (the HTTP floor gets as many sessions); undefined with --url (then 10, the default). */
  poolSize: number | undefined;
  /**
   * The statements of one create named `id` (sent over HTTP by `send`) as the service sends them,
   * and the run token in its name, slug and e-mail (the floor replaces it per iteration).
   */
  capture: (id: string, send: (id: string) => Promise<void>) => Promise<{ statements: CapturedStatement[]; token: string }>;
  /** Starts watching the service's resident set; the returned function stops and gives the peak in MB (null: unknown). */
  watchRss: () => () => Promise<number | null>;
  /** Ends the service's background work (engine, relay, reconciler) so that the floor runs alone. */
  quiesce: () => Promise<void>;
  /** Stops the service and removes what the run made. Idempotent. */
  stop: () => Promise<void>;
}

interface Response {
  status: number;
  body: string;
}

function usage(): string {
  return [
    'usage: npx tsx bench/create-tenant.ts [-n 2000] [-c 16] [--warmup N] [--server-url URL] [--only embedded|server] [--compare]',
    '       DATABASE_URL=<its database> npx tsx bench/create-tenant.ts --url URL --token TOKEN [-n 2000] [-c 16] [--warmup N]',
  ].join('\n');
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      requests: { type: 'string', short: 'n', default: '2000' },
      concurrency: { type: 'string', short: 'c', default: '16' },
      warmup: { type: 'string', default: '' },
      'server-url': { type: 'string' },
      only: { type: 'string' },
      compare: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage());
    process.exit(0);
  }
  const positive = (name: string, raw: string, min: number): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number >= ${min} (got "${raw}")`);
    return value;
  };
  if (values.url !== undefined && values.token === undefined) throw new Error('--url needs --token (a platform-admin bearer token)');
  if (values.url !== undefined && (values.only !== undefined || values.compare || values['server-url'] !== undefined)) {
    throw new Error('--only, --compare and --server-url choose the in-process runs; --url measures a running service instead');
  }
  const only = values.only;
  if (only !== undefined && !isSide(only)) throw new Error(`--only must be embedded or server (got "${only}")`);
  if (only !== undefined && values.compare) throw new Error('--compare runs both sides; --only runs one');
  const serverUrl = values['server-url'] ?? (process.env.DATABASE_URL || DEFAULT_SERVER_URL);
  if (!/^postgres(ql)?:\/\//.test(serverUrl)) throw new Error('--server-url (or DATABASE_URL) must be a postgres:// or postgresql:// URL');
  const n = positive('requests', values.requests, 1);
  const concurrency = positive('concurrency', values.concurrency, 1);
  const warmup = values.warmup === '' ? Math.min(200, Math.max(concurrency * 4, Math.ceil(n / 10))) : positive('warmup', values.warmup, 0);
  return {
    url: values.url?.replace(/\/+$/, ''),
    token: values.token,
    n,
    concurrency,
    warmup,
    serverUrl,
    sides: values.compare ? SIDES : [only ?? 'server'],
  };
}

function isSide(value: string): value is Side {
  return (SIDES as readonly string[]).includes(value);
}

/* ------------------------------ the system server's scratch database ------------------------------ */

interface Scratch {
  /** matih_bench_<hex> */
  name: string;
  /** bench_<hex>_: the tenants' roles and Enterprise databases (MATIH_TENANT_DB_PREFIX). */
  prefix: string;
  url: string;
}

async function withServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createScratch(serverUrl: string): Promise<Scratch> {
  const hex = randomBytes(4).toString('hex');
  const name = `matih_bench_${hex}`;
  await withServer(serverUrl, (client) => client.query(`create database ${client.escapeIdentifier(name)}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { name, prefix: `bench_${hex}_`, url: url.toString() };
}

/** The scratch database, then every database and role named with its prefix (databases first: a role may connect to one). */
async function dropScratch(serverUrl: string, scratch: Scratch): Promise<void> {
  await withServer(serverUrl, async (client) => {
    await client.query(`drop database if exists ${client.escapeIdentifier(scratch.name)} with (force)`);
    const startsWith = (column: string) => `left(${column}, length($1)) = $1`;
    const databases = await client.query<{ name: string }>(`select datname as name from pg_database where ${startsWith('datname')}`, [scratch.prefix]);
    for (const row of databases.rows) await client.query(`drop database if exists ${client.escapeIdentifier(row.name)} with (force)`);
    const roles = await client.query<{ name: string }>(`select rolname as name from pg_roles where ${startsWith('rolname')}`, [scratch.prefix]);
    for (const row of roles.rows) await client.query(`drop role if exists ${client.escapeIdentifier(row.name)}`);
  });
}

/** host:port of a URL, never its password. */
function where(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port === '' ? '5432' : u.port}`;
}

/* ------------------------------------------ targets ------------------------------------------ */

/**
 * The service in this process as `npm start` runs it (engine, relay and reconciler included), on
 * free ports, with a fresh temporary MATIH_DATA_DIR. Its log goes, at the service's default level
 * unless MATIH_LOG_LEVEL says otherwise, to a file in that directory (what logging costs is part of
 * a request); its warnings and errors are copied to stderr at the end. Any other MATIH_* variable
 * passes through (MATIH_DB_POOL_SIZE...); DATABASE_URL and TENANT_DATABASE_URL do not: the side
 * says which database, and tenant databases go on the same one. MATIH_WORKER_CONCURRENCY is 0
 * (workers off) unless set: provisioning the tenants in the background is another bench's subject
 * (provision-throughput), and at zero simulated delay it takes all the CPU it is given.
 */
async function startInProcess(side: Side, options: Options): Promise<Target> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'matih-bench-'));
  const logFile = path.join(dataDir, 'service.log');
  let scratch: Scratch | undefined;
  let app: App | undefined;
  let log: ReturnType<typeof pino.destination> | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      try {
        await app?.close();
      } finally {
        try {
          if (scratch) await dropScratch(options.serverUrl, scratch);
        } finally {
          if (log) {
            log.flushSync();
            log.end();
            await copyWarnings(logFile);
          }
          await fs.rm(dataDir, { recursive: true, force: true });
        }
      }
    })());
  stopCurrent = stop;
  try {
    if (side === 'server') scratch = await createScratch(options.serverUrl);
    const token = `bench-${randomBytes(24).toString('base64url')}`;
    const config = loadConfig({
      ...process.env,
      MATIH_TENANT_PORT: '0',
      MATIH_INFRA_PORT: '0',
      MATIH_DNS_PORT: process.env.MATIH_DNS_PORT || '0',
      MATIH_HOST: '127.0.0.1',
      MATIH_DATA_DIR: dataDir,
      MATIH_BOOTSTRAP_TOKEN: token,
      MATIH_WORKER_CONCURRENCY: process.env.MATIH_WORKER_CONCURRENCY || '0',
      // Every create comes from the one bootstrap token, far above its rate limit: off unless asked.
      MATIH_RATE_LIMIT_PER_CREDENTIAL: process.env.MATIH_RATE_LIMIT_PER_CREDENTIAL || '0',
      // A key of the run's own: no key file, and no warning about one on the server side.
      MATIH_SECRET_KEY: process.env.MATIH_SECRET_KEY || randomBytes(32).toString('base64'),
      DATABASE_URL: scratch?.url ?? '',
      TENANT_DATABASE_URL: '',
      ...(scratch ? { MATIH_TENANT_DB_PREFIX: scratch.prefix } : {}),
    });
    log = pino.destination({ dest: logFile, sync: false });
    app = await createApp(config, pino({ level: config.logLevel, ...LOGGER_OPTIONS }, log));
    const { tenantUrl } = await app.listen();
    const { engine, database } = app;
    return {
      url: tenantUrl,
      token,
      database: database.kind,
      workerConcurrency: config.engine.concurrency,
      logLevel: config.logLevel,
      floorUrl: database.url,
      poolSize: config.databasePoolSize,
      capture: async (id, send) => ({ statements: await captureCreate(() => send(id)), token: id }),
      // The whole process: the clients too, whose share is small next to the service's.
      watchRss: () => async () => Math.round(process.resourceUsage().maxRSS / 1024),
      // Each of these stops idempotently; app.close() stops them again with the rest.
      quiesce: async () => {
        await Promise.all([engine.worker.stop(), engine.relay.stop(), engine.reconciler.stop(), engine.housekeeping.stop()]);
      },
      stop,
    };
  } catch (error) {
    await stop().catch((cleanup: unknown) => console.error('cleaning up after a failed start:', cleanup));
    throw error;
  }
}

/** The service's warnings and errors (pino levels 40 and up), from its log file to stderr. */
async function copyWarnings(logFile: string): Promise<void> {
  const text = await fs.readFile(logFile, 'utf8').catch(() => '');
  const warnings = text.split('\n').filter((line) => {
    const level = /"level":(\d+)/.exec(line)?.[1];
    return level !== undefined && Number(level) >= 40;
  });
  if (warnings.length === 0) return;
  console.error(`the service logged ${warnings.length} warnings or errors, e.g.:\n  ${warnings.slice(0, 5).join('\n  ')}`);
}

/**
 * A running service elsewhere: its database kind comes from /ready ("embedded: up", "external:
 * up"), its resident set from /metrics while the load runs. The floor needs its database
 * (DATABASE_URL): the create is captured there through the same store function its route calls.
 */
async function attach(url: string, token: string): Promise<Target> {
  let database = 'unknown';
  try {
    const res = await fetch(`${url}/ready`);
    const body = (await res.json()) as { database?: unknown };
    if (typeof body.database === 'string') database = body.database.split(':')[0] ?? database;
  } catch {
    // Reported as unknown; the run itself will show whether the service answers.
  }
  const floorUrl = process.env.DATABASE_URL || undefined;
  return {
    url,
    token,
    database,
    workerConcurrency: undefined,
    logLevel: undefined,
    floorUrl,
    poolSize: undefined,
    capture: async (id, send) => {
      // Over HTTP first: a service that refuses creates fails the run here, not in the floor.
      await send(id);
      return floorUrl === undefined ? { statements: [], token: id } : captureThroughStore(floorUrl, `${id}s`);
    },
    watchRss: () => sampleRss(url),
    quiesce: async () => undefined,
    stop: async () => undefined,
  };
}

/**
 * --url: the statements of create `id` made here through the store function the route calls, with
 * what the route gives it, on the service's database (the service's own are sent by another process).
 */
async function captureThroughStore(databaseUrl: string, id: string): Promise<{ statements: CapturedStatement[]; token: string }> {
  const database = openDatabase({ url: databaseUrl, poolSize: 1, kind: 'external' });
  try {
    const key = generateApiKey();
    const tenant = validateNewTenant(JSON.parse(payloadOf(id)) as CreateTenantRequest, { enabledCloudProviders: [CloudProvider.AZURE] });
    const statements = await captureCreate(async () => {
      await createTenant(database.db, { tenant, actor: 'bootstrap', apiKey: { id: key.id, secretHash: key.secretHash } });
    });
    return { statements, token: id };
  } finally {
    await database.close();
  }
}

/** Samples `matih_process_resident_memory_bytes` from the service's /metrics every 250 ms. */
function sampleRss(url: string): () => Promise<number | null> {
  let peak: number | null = null;
  const sample = async () => {
    try {
      const text = await (await fetch(`${url}/metrics`)).text();
      const bytes = Number(/^matih_process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? Number.NaN);
      if (Number.isFinite(bytes)) peak = Math.max(peak ?? 0, Math.round(bytes / 1024 / 1024));
    } catch {
      // A missed sample; the peak is of the samples taken.
    }
  };
  void sample();
  const timer = setInterval(() => void sample(), 250);
  return async () => {
    clearInterval(timer);
    await sample();
    return peak;
  };
}

/* ------------------------------------------ the load ------------------------------------------ */

/** The body of the create named `id` (unique per run: name, slug and admin e-mail carry it). */
const SLUG_PREFIX = 'bench-';

function payloadOf(id: string): string {
  return JSON.stringify({
    name: `Bench ${id}`,
    slug: `${SLUG_PREFIX}${id}`,
    tier: 'PROFESSIONAL',
    adminEmail: `admin-${id}@bench.example.com`,
    cloudProvider: 'AZURE',
    region: 'eastus',
  });
}

function post(agent: http.Agent, url: URL, token: string, payload: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    // A service that stops answering fails the run instead of hanging it.
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no response within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** What a run of clients or of floor sessions gives: one latency per request or transaction. */
type RunResult = FloorResult;

/** `count` creates from `concurrency` clients, each sending its next request when the last one answers. */
async function run(target: Pick<Target, 'url' | 'token'>, agent: http.Agent, runId: string, phase: string, count: number, concurrency: number): Promise<RunResult> {
  const url = new URL('/api/v1/tenants', target.url);
  const latenciesMs: number[] = [];
  const samples: string[] = [];
  let errors = 0;
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < count) {
      const payload = payloadOf(`${runId}-${phase}-${next++}`);
      const started = performance.now();
      try {
        const res = await post(agent, url, target.token, payload);
        latenciesMs.push(performance.now() - started);
        if (res.status !== 201) {
          errors++;
          if (samples.length < 5) samples.push(`${res.status} ${res.body.slice(0, 300)}`);
        }
      } catch (error) {
        latenciesMs.push(performance.now() - started);
        errors++;
        if (samples.length < 5) samples.push(String(error));
      }
    }
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, () => client()));
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { latenciesMs, errors, samples, elapsedMs, cpuMs: (used.user + used.system) / 1000 };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** One run's figures. */
interface Figures {
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  errors: number;
  warmupErrors: number;
  /** CPU time of this process per request: clients and service in-process, clients only with --url; the pg clients alone for the floor. */
  processCpuMsPerRequest: number;
}

interface Measured {
  target: Target;
  service: Figures;
  /** undefined: no floor (--url without DATABASE_URL). */
  floor: Figures | undefined;
  /** The same statements behind a bare node:http server (create-tenant-floor.ts startHttpFloor); undefined with the floor. */
  httpFloor: Figures | undefined;
  /** How many statements one create sends (BEGIN and COMMIT included), and which: the floor's work. */
  statements: CapturedStatement[];
  peakRssMb: number | null;
  samples: string[];
}

function figuresOf(result: RunResult, warmupErrors: number): Figures {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length);
  return {
    rps: round((result.latenciesMs.length / result.elapsedMs) * 1000, 1),
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? Number.NaN),
    meanMs: round(mean),
    errors: result.errors,
    warmupErrors,
    processCpuMsPerRequest: round(result.cpuMs / Math.max(1, result.latenciesMs.length), 3),
  };
}

/** Stops whatever is running now (set from the first moment there is something to clean up). */
let stopCurrent: (() => Promise<void>) | undefined;
// Ctrl-C: no embedded server, scratch database or data directory is left behind.
process.once('SIGINT', () => {
  console.error('interrupted: stopping the service and removing what the run made');
  void (stopCurrent?.() ?? Promise.resolve()).finally(() => process.exit(130));
});

/**
 * One side: one create captured, the service's warm-up and measured run, then (its background
 * work stopped) the floor's warm-up and measured run on the same database. The target is stopped
 * before anything is printed (`| head -1` cannot leave it running).
 */
async function measure(options: Options, start: () => Promise<Target>): Promise<Measured> {
  const target = await start();
  stopCurrent = target.stop;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const url = new URL('/api/v1/tenants', target.url);
  try {
    const { statements, token } = await target.capture(`${runId}-c-0`, async (id) => {
      const res = await post(agent, url, target.token, payloadOf(id));
      if (res.status !== 201) throw new Error(`the first create answered ${res.status}: ${res.body.slice(0, 300)}`);
    });
    const stopWatching = target.watchRss();
    const warm = options.warmup > 0 ? await run(target, agent, runId, 'w', options.warmup, options.concurrency) : undefined;
    if (warm && warm.errors > 0) console.error(`warm-up: ${warm.errors} requests did not answer 201, e.g.:\n  ${warm.samples.join('\n  ')}`);
    const result = await run(target, agent, runId, 'm', options.n, options.concurrency);
    const peakRssMb = await stopWatching();
    agent.destroy();
    let floor: Figures | undefined;
    let httpFloor: Figures | undefined;
    if (target.floorUrl !== undefined) {
      await target.quiesce();
      const fresh = replayer(statements, token);
      const floorUrl = target.floorUrl;
      const floorWarm = options.warmup > 0 ? await replayFloor(floorUrl, fresh, (i) => `${runId}-fw-${i}`, options.warmup, options.concurrency) : undefined;
      if (floorWarm && floorWarm.errors > 0) console.error(`floor warm-up: ${floorWarm.errors} transactions failed, e.g.:\n  ${floorWarm.samples.join('\n  ')}`);
      const floorRun = await replayFloor(floorUrl, fresh, (i) => `${runId}-f-${i}`, options.n, options.concurrency);
      if (floorRun.errors > 0) console.error(`floor: ${floorRun.errors} transactions failed, e.g.:\n  ${floorRun.samples.join('\n  ')}`);
      floor = figuresOf(floorRun, floorWarm?.errors ?? 0);
      httpFloor = await measureHttpFloor(options, floorUrl, fresh, target.poolSize ?? 10, runId);
    }
    return { target, service: figuresOf(result, warm?.errors ?? 0), floor, httpFloor, statements, peakRssMb, samples: result.samples };
  } finally {
    agent.destroy();
    await target.stop();
    stopCurrent = undefined;
  }
}

/** The HTTP floor's warm-up and measured run, by the service's clients, on the floor's database. */
async function measureHttpFloor(
  options: Options,
  databaseUrl: string,
  fresh: (freshToken: string) => CapturedStatement[],
  poolSize: number,
  runId: string,
): Promise<Figures> {
  const server = await startHttpFloor(databaseUrl, fresh, SLUG_PREFIX, poolSize);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  try {
    const target = { url: server.url, token: 'http-floor' };
    const warm = options.warmup > 0 ? await run(target, agent, runId, 'hw', options.warmup, options.concurrency) : undefined;
    const measured = await run(target, agent, runId, 'h', options.n, options.concurrency);
    if (measured.errors > 0) console.error(`HTTP floor: ${measured.errors} requests did not answer 201, e.g.:\n  ${measured.samples.join('\n  ')}`);
    return figuresOf(measured, warm?.errors ?? 0);
  } finally {
    agent.destroy();
    await server.close();
  }
}

/* ------------------------------------------ reports ------------------------------------------ */

const ratio = (a: number, b: number): number | null => (b > 0 && Number.isFinite(a / b) ? round(a / b, 3) : null);

/** The fields the issue asks for, in its order: the service, its floor, the ratios, the peak RSS. */
function headline(m: Measured) {
  const { service: s, floor: f } = m;
  return {
    rps: s.rps,
    p50Ms: s.p50Ms,
    p99Ms: s.p99Ms,
    floorRps: f?.rps ?? null,
    floorP50Ms: f?.p50Ms ?? null,
    floorP99Ms: f?.p99Ms ?? null,
    ratioRps: f ? ratio(s.rps, f.rps) : null,
    ratioP99: f ? ratio(s.p99Ms, f.p99Ms) : null,
    peakRssMb: m.peakRssMb,
  };
}

/** Everything else about a side, after the headline fields. */
function details(m: Measured) {
  const { service: s, floor: f } = m;
  return {
    database: m.target.database,
    inProcess: m.target.workerConcurrency !== undefined,
    workerConcurrency: m.target.workerConcurrency ?? null,
    logLevel: m.target.logLevel ?? null,
    p50OverFloorMs: f ? round(s.p50Ms - f.p50Ms) : null,
    p90Ms: s.p90Ms,
    maxMs: s.maxMs,
    meanMs: s.meanMs,
    errors: s.errors,
    warmupErrors: s.warmupErrors,
    processCpuMsPerRequest: s.processCpuMsPerRequest,
    floorStatements: m.statements.length,
    floorCpuMsPerRequest: f?.processCpuMsPerRequest ?? null,
    floorErrors: f ? f.errors + f.warmupErrors : null,
    httpFloorRps: m.httpFloor?.rps ?? null,
    httpFloorP50Ms: m.httpFloor?.p50Ms ?? null,
    httpFloorP99Ms: m.httpFloor?.p99Ms ?? null,
    httpFloorCpuMsPerRequest: m.httpFloor?.processCpuMsPerRequest ?? null,
    ratioRpsHttpFloor: m.httpFloor ? ratio(s.rps, m.httpFloor.rps) : null,
    ratioP99HttpFloor: m.httpFloor ? ratio(s.p99Ms, m.httpFloor.p99Ms) : null,
    httpFloorErrors: m.httpFloor ? m.httpFloor.errors + m.httpFloor.warmupErrors : null,
  };
}

function report(options: Options, measured: Partial<Record<Side | 'attached', Measured>>): void {
  const primary = measured.server ?? measured.attached ?? measured.embedded;
  if (!primary) return;
  const { embedded, server } = measured;
  const compared = embedded && server ? { embedded: { ...headline(embedded), ...details(embedded) } } : {};
  const embeddedVsServer =
    embedded && server ? { embeddedVsServer: { ratioRps: ratio(embedded.service.rps, server.service.rps), ratioP99: ratio(embedded.service.p99Ms, server.service.p99Ms) } } : {};
  console.log(
    JSON.stringify({
      benchmark: 'create-tenant',
      concurrency: options.concurrency,
      n: options.n,
      ...headline(primary),
      ...details(primary),
      warmup: options.warmup,
      ...compared,
      ...embeddedVsServer,
    }),
  );
  for (const side of ['embedded', 'server', 'attached'] as const) {
    const m = measured[side];
    if (m) table(options, m);
  }
  if (embedded && server) {
    const r = embeddedVsServer.embeddedVsServer;
    console.log(`\n  embedded / server (issue 13): req/s ${r?.ratioRps ?? '-'} (target >= 0.67), p99 ${r?.ratioP99 ?? '-'} (target <= 1.5)`);
  }
}

function table(options: Options, m: Measured): void {
  const { service: s, floor: f, httpFloor: h, target } = m;
  const engine =
    target.workerConcurrency === undefined ? `at ${target.url}` : `${target.database === 'external' ? `${where(options.serverUrl)}, ` : ''}in-process, ${target.workerConcurrency === 0 ? 'workers off' : `${target.workerConcurrency} workers`}, log level ${target.logLevel ?? '?'}`;
  console.log('');
  console.log(`create-tenant on ${target.database} (${engine}): ${options.n} requests (+${options.warmup} warm-up), ${options.concurrency} concurrent clients`);
  const columns = (label: string, values: (string | undefined)[]) => console.log(`  ${label.padEnd(13)}${values.map((v) => (v ?? '-').padStart(11)).join('')}`);
  columns('', ['service', 'floor', 'ratio', 'http floor', 'ratio']);
  const row = (label: string, pick: (x: Figures) => number, digits: number) => {
    const a = pick(s);
    const b = f ? pick(f) : undefined;
    const c = h ? pick(h) : undefined;
    const r = b === undefined ? null : ratio(a, b);
    const rh = c === undefined ? null : ratio(a, c);
    columns(label, [a.toFixed(digits), b?.toFixed(digits), r === null ? undefined : r.toFixed(2), c?.toFixed(digits), rh === null ? undefined : rh.toFixed(2)]);
  };
  row('p50 ms', (x) => x.p50Ms, 2);
  row('p90 ms', (x) => x.p90Ms, 2);
  row('p99 ms', (x) => x.p99Ms, 2);
  row('max ms', (x) => x.maxMs, 2);
  row('mean ms', (x) => x.meanMs, 2);
  row('req/s', (x) => x.rps, 1);
  row('cpu/req ms', (x) => x.processCpuMsPerRequest, 3);
  columns('errors', [errorCount(s), f ? errorCount(f) : undefined, undefined, h ? errorCount(h) : undefined, undefined]);
  console.log('');
  // What each statement is, in a few words: its first ones, after the prepared-statement mark.
  const kinds = m.statements.map((st) => st.text.replace(/^\/\*.*?\*\/\s*/, '').trim().split(/\s+/).slice(0, 4).join(' ').slice(0, 32));
  const named = m.statements.filter((st) => st.name !== undefined).length;
  console.log(
    `  floor: the ${m.statements.length} statement(s) of one create (${kinds.join(' | ')}; ${named} prepared) through pg, ${options.concurrency} sessions${f ? '' : ': not run (set DATABASE_URL to the service\'s database)'}`,
  );
  console.log(`  http floor: the same statements behind a bare node:http server in this process (JSON body, a pool of ${target.poolSize ?? 10}, a JSON answer), driven by the same clients`);
  console.log(`  cpu/req: this process's CPU per request: ${target.workerConcurrency === undefined ? 'the clients' : 'clients and service'}; the floor's: its pg clients`);
  console.log(`  peak RSS: ${m.peakRssMb ?? '?'} MB (${target.workerConcurrency === undefined ? 'the service, sampled from /metrics' : 'this process, clients included, before the floor'})`);
  if (s.errors > 0) console.error(`\n${s.errors} requests did not answer 201, e.g.:\n  ${m.samples.join('\n  ')}`);
}

function errorCount(f: Figures): string {
  return f.warmupErrors > 0 ? `${f.errors}+${f.warmupErrors}w` : String(f.errors);
}

const failed = (m: Measured | undefined): boolean =>
  m !== undefined && m.service.errors + m.service.warmupErrors + (m.floor ? m.floor.errors + m.floor.warmupErrors : 0) > 0;

async function main(): Promise<number> {
  // `| head -1` closes stdout after the JSON line: the table is then not wanted, and not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const options = parseOptions(process.argv.slice(2));
  if (options.url !== undefined && options.token !== undefined) {
    const { url, token } = options;
    const m = await measure(options, () => attach(url, token));
    report(options, { attached: m });
    return failed(m) ? 1 : 0;
  }
  // Fail before the embedded run, not after it, when the server side cannot run.
  if (options.sides.includes('server')) await withServer(options.serverUrl, (client) => client.query('select 1'));
  const measured: Partial<Record<Side, Measured>> = {};
  for (const side of options.sides) measured[side] = await measure(options, () => startInProcess(side, options));
  report(options, measured);
  return SIDES.some((side) => failed(measured[side])) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('bench failed:', error);
    process.exitCode = 1;
  },
);
