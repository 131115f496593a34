/**
 * Benchmark: POST /api/v1/tenants (the control-plane tier transaction) over real HTTP with
 * keep-alive, N requests from C concurrent clients, after a short warm-up.
 *
 *   npx tsx bench/create-tenant.ts [-n 2000] [-c 16] [--warmup N] [--server-url URL] [--only embedded|server]
 *   npx tsx bench/create-tenant.ts --url URL --token TOKEN [-n 2000] [-c 16] [--warmup N]
 *
 * Without --url the same workload runs twice in this process, on the service as `npm start` runs
 * it (engine on, unless MATIH_WORKER_CONCURRENCY=0 says otherwise):
 *   embedded  DATABASE_URL unset: the embedded PostgreSQL server under a fresh temporary
 *             MATIH_DATA_DIR; the server is stopped and the directory removed at the end.
 *   server    the PostgreSQL server at --server-url (default postgres://postgres@127.0.0.1:5432/postgres):
 *             a scratch database matih_bench_<hex> with MATIH_TENANT_DB_PREFIX=bench_<hex>_, dropped
 *             at the end with every role and database named with that prefix.
 * embedded first, then server (a later run profits from this process's warmed-up JIT, so the order
 * does not favour the embedded side). `--only` runs one of them. Prints one JSON line with both
 * sides' figures and the ratios embedded/server, then a small table.
 *
 * With --url it measures that running service only (its database kind read from /ready) and prints
 * that service's JSON line and table. Exits 1 if any request (warm-up included) did not answer 201.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { type App, REDACTED_PATHS, createApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';

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
  /** In-process: the service's MATIH_WORKER_CONCURRENCY (0: engine off); undefined with --url. */
  workerConcurrency: number | undefined;
  /** Stops the service and removes what the run made. Idempotent. */
  stop: () => Promise<void>;
}

interface Response {
  status: number;
  body: string;
}

function usage(): string {
  return [
    'usage: npx tsx bench/create-tenant.ts [-n 2000] [-c 16] [--warmup N] [--server-url URL] [--only embedded|server]',
    '       npx tsx bench/create-tenant.ts --url URL --token TOKEN [-n 2000] [-c 16] [--warmup N]',
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
  if (values.url !== undefined && (values.only !== undefined || values['server-url'] !== undefined)) {
    throw new Error('--only and --server-url choose the in-process runs; --url measures a running service instead');
  }
  const only = values.only;
  if (only !== undefined && !isSide(only)) throw new Error(`--only must be embedded or server (got "${only}")`);
  const serverUrl = values['server-url'] ?? DEFAULT_SERVER_URL;
  if (!/^postgres(ql)?:\/\//.test(serverUrl)) throw new Error('--server-url must be a postgres:// or postgresql:// URL');
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
    sides: only === undefined ? SIDES : [only],
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
 * free ports, logging at level warn to stderr, with a fresh temporary MATIH_DATA_DIR. Any other MATIH_* variable
 * passes through (MATIH_WORKER_CONCURRENCY, MATIH_DB_POOL_SIZE...); DATABASE_URL and
 * TENANT_DATABASE_URL do not: the side says which database, and tenant databases go on the same one.
 */
async function startInProcess(side: Side, options: Options): Promise<Target> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'matih-bench-'));
  let scratch: Scratch | undefined;
  let app: App | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      try {
        await app?.close();
      } finally {
        try {
          if (scratch) await dropScratch(options.serverUrl, scratch);
        } finally {
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
      MATIH_LOG_LEVEL: 'warn',
      // Every create comes from the one bootstrap token, far above its rate limit: off unless asked.
      MATIH_RATE_LIMIT_PER_CREDENTIAL: process.env.MATIH_RATE_LIMIT_PER_CREDENTIAL || '0',
      // A key of the run's own: no key file, and no warning about one on the server side.
      MATIH_SECRET_KEY: process.env.MATIH_SECRET_KEY || randomBytes(32).toString('base64'),
      DATABASE_URL: scratch?.url ?? '',
      TENANT_DATABASE_URL: '',
      ...(scratch ? { MATIH_TENANT_DB_PREFIX: scratch.prefix } : {}),
    });
    // The service's log on stderr: stdout starts with the JSON line.
    app = await createApp(config, pino({ level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, pino.destination(2)));
    const { tenantUrl } = await app.listen();
    return { url: tenantUrl, token, database: app.database.kind, workerConcurrency: config.engine.concurrency, stop };
  } catch (error) {
    await stop().catch((cleanup: unknown) => console.error('cleaning up after a failed start:', cleanup));
    throw error;
  }
}

/** A running service elsewhere: its database kind comes from /ready ("embedded: up", "external: up"). */
async function attach(url: string, token: string): Promise<Target> {
  let database = 'unknown';
  try {
    const res = await fetch(`${url}/ready`);
    const body = (await res.json()) as { database?: unknown };
    if (typeof body.database === 'string') database = body.database.split(':')[0] ?? database;
  } catch {
    // Reported as unknown; the run itself will show whether the service answers.
  }
  return { url, token, database, workerConcurrency: undefined, stop: async () => undefined };
}

/* ------------------------------------------ the load ------------------------------------------ */

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

interface RunResult {
  latenciesMs: number[];
  errors: number;
  samples: string[];
  elapsedMs: number;
  /** CPU time of this process during the run: the clients, plus the service when it runs in-process. */
  cpuMs: number;
}

/** `count` creates from `concurrency` clients, each sending its next request when the last one answers. */
async function run(target: Target, agent: http.Agent, runId: string, phase: string, count: number, concurrency: number): Promise<RunResult> {
  const url = new URL('/api/v1/tenants', target.url);
  const latenciesMs: number[] = [];
  const samples: string[] = [];
  let errors = 0;
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const id = `${runId}-${phase}-${i}`;
      const payload = JSON.stringify({
        name: `Bench ${id}`,
        slug: `bench-${id}`,
        tier: 'PROFESSIONAL',
        adminEmail: `admin-${id}@bench.example.com`,
        cloudProvider: 'AZURE',
        region: 'eastus',
      });
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

/** One side's figures. */
interface Figures {
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  errors: number;
  warmupErrors: number;
  /** CPU time of this process per request: clients and service in-process, clients only with --url. */
  processCpuMsPerRequest: number;
}

interface Measured {
  figures: Figures;
  samples: string[];
  target: Target;
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

/** Warm-up, then the measured run; the target is stopped before anything is printed (`| head -1` cannot leave it running). */
async function measure(options: Options, start: () => Promise<Target>): Promise<Measured> {
  const target = await start();
  stopCurrent = target.stop;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  try {
    let warmupErrors = 0;
    if (options.warmup > 0) {
      const warm = await run(target, agent, runId, 'w', options.warmup, options.concurrency);
      warmupErrors = warm.errors;
      if (warm.errors > 0) console.error(`warm-up: ${warm.errors} requests did not answer 201, e.g.:\n  ${warm.samples.join('\n  ')}`);
    }
    const result = await run(target, agent, runId, 'm', options.n, options.concurrency);
    return { figures: figuresOf(result, warmupErrors), samples: result.samples, target };
  } finally {
    agent.destroy();
    await target.stop();
    stopCurrent = undefined;
  }
}

function peakRssMb(): number {
  // maxRSS is in kilobytes.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/* ------------------------------------------ reports ------------------------------------------ */

const ratio = (a: number, b: number): number | null => (b > 0 && Number.isFinite(a / b) ? round(a / b, 3) : null);

function reportComparison(options: Options, measured: Partial<Record<Side, Measured>>): void {
  const embedded = measured.embedded?.figures;
  const server = measured.server?.figures;
  const workerConcurrency = (measured.embedded ?? measured.server)?.target.workerConcurrency ?? null;
  console.log(
    JSON.stringify({
      benchmark: 'create-tenant',
      n: options.n,
      concurrency: options.concurrency,
      warmup: options.warmup,
      workerConcurrency,
      embedded: embedded ?? null,
      server: server ?? null,
      ratioRps: embedded && server ? ratio(embedded.rps, server.rps) : null,
      ratioP99: embedded && server ? ratio(embedded.p99Ms, server.p99Ms) : null,
      peakRssMb: peakRssMb(),
    }),
  );
  const engine = workerConcurrency === 0 ? 'engine off' : `engine on (${workerConcurrency ?? '?'} workers)`;
  console.log('');
  console.log(`create-tenant, service in-process, ${engine}: ${options.n} requests (+${options.warmup} warm-up), ${options.concurrency} concurrent clients`);
  console.log(`  embedded: the embedded PostgreSQL server (DATABASE_URL unset); server: ${where(options.serverUrl)}, scratch database`);
  console.log('');
  const columns = (label: string, values: (string | undefined)[]) => console.log(`  ${label.padEnd(13)}${values.map((v) => (v ?? '-').padStart(11)).join('')}`);
  columns('', ['embedded', 'server', 'ratio']);
  const row = (label: string, pick: (f: Figures) => number, digits: number) => {
    const e = embedded ? pick(embedded) : undefined;
    const s = server ? pick(server) : undefined;
    const r = e !== undefined && s !== undefined ? ratio(e, s) : null;
    columns(label, [e?.toFixed(digits), s?.toFixed(digits), r === null ? undefined : r.toFixed(2)]);
  };
  row('p50 ms', (f) => f.p50Ms, 2);
  row('p90 ms', (f) => f.p90Ms, 2);
  row('p99 ms', (f) => f.p99Ms, 2);
  row('max ms', (f) => f.maxMs, 2);
  row('mean ms', (f) => f.meanMs, 2);
  row('req/s', (f) => f.rps, 1);
  row('cpu/req ms', (f) => f.processCpuMsPerRequest, 3);
  columns('errors', [embedded ? errorCount(embedded) : undefined, server ? errorCount(server) : undefined, undefined]);
  console.log('');
  console.log(`  peak RSS of this process (clients and service; the PostgreSQL servers' own processes not included): ${peakRssMb()} MB`);
  for (const side of SIDES) {
    const m = measured[side];
    if (m && m.figures.errors > 0) console.error(`\n${side}: ${m.figures.errors} requests did not answer 201, e.g.:\n  ${m.samples.join('\n  ')}`);
  }
}

function errorCount(f: Figures): string {
  return f.warmupErrors > 0 ? `${f.errors}+${f.warmupErrors}w` : String(f.errors);
}

/** --url: the running service's figures, as one JSON line and a table. */
function reportAttached(options: Options, m: Measured): void {
  const f = m.figures;
  console.log(
    JSON.stringify({
      benchmark: 'create-tenant',
      database: m.target.database,
      inProcess: false,
      n: options.n,
      concurrency: options.concurrency,
      warmup: options.warmup,
      p50Ms: f.p50Ms,
      p90Ms: f.p90Ms,
      p99Ms: f.p99Ms,
      maxMs: f.maxMs,
      meanMs: f.meanMs,
      throughputRps: f.rps,
      errors: f.errors,
      warmupErrors: f.warmupErrors,
      processCpuMsPerRequest: f.processCpuMsPerRequest,
    }),
  );
  console.log('');
  console.log(`create-tenant on ${m.target.database} at ${m.target.url}`);
  console.log(`  requests     ${options.n} (+${options.warmup} warm-up), ${options.concurrency} concurrent clients`);
  console.log(`  p50          ${f.p50Ms.toFixed(2).padStart(9)} ms`);
  console.log(`  p90          ${f.p90Ms.toFixed(2).padStart(9)} ms`);
  console.log(`  p99          ${f.p99Ms.toFixed(2).padStart(9)} ms`);
  console.log(`  max          ${f.maxMs.toFixed(2).padStart(9)} ms`);
  console.log(`  mean         ${f.meanMs.toFixed(2).padStart(9)} ms`);
  console.log(`  throughput   ${f.rps.toFixed(1).padStart(9)} req/s`);
  console.log(`  cpu/request  ${f.processCpuMsPerRequest.toFixed(3).padStart(9)} ms (this process: clients only)`);
  console.log(`  errors       ${String(f.errors).padStart(9)}${f.warmupErrors > 0 ? ` (+${f.warmupErrors} in warm-up)` : ''}`);
  if (f.errors > 0) console.error(`\n${f.errors} requests did not answer 201, e.g.:\n  ${m.samples.join('\n  ')}`);
}

const failed = (m: Measured | undefined): boolean => m !== undefined && m.figures.errors + m.figures.warmupErrors > 0;

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.url !== undefined && options.token !== undefined) {
    const { url, token } = options;
    const m = await measure(options, () => attach(url, token));
    reportAttached(options, m);
    return failed(m) ? 1 : 0;
  }
  // Fail before the embedded run, not after it, when the server side cannot run.
  if (options.sides.includes('server')) await withServer(options.serverUrl, (client) => client.query('select 1'));
  const measured: Partial<Record<Side, Measured>> = {};
  for (const side of options.sides) measured[side] = await measure(options, () => startInProcess(side, options));
  reportComparison(options, measured);
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
