/**
 * Benchmark: POST /api/v1/tenants (the control-plane tier transaction) over real HTTP with
 * keep-alive, N requests from C concurrent clients, after a short warm-up.
 *
 *   npx tsx bench/create-tenant.ts [--url URL --token TOKEN] [-n 2000] [-c 16] [--warmup 200]
 *
 * Without --url the service is started in this process (DATABASE_URL if set, else an embedded
 * PGlite database in a temporary directory) and stopped at the end. Prints one JSON line, then
 * a small table. Exits 1 if any request (warm-up included) did not answer 201.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type App, createApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';

const REQUEST_TIMEOUT_MS = 30_000;

interface Options {
  url: string | undefined;
  token: string | undefined;
  n: number;
  concurrency: number;
  warmup: number;
}

interface Target {
  url: string;
  token: string;
  database: string;
  stop(): Promise<void>;
}

interface Response {
  status: number;
  body: string;
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
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log('usage: npx tsx bench/create-tenant.ts [--url URL --token TOKEN] [-n 2000] [-c 16] [--warmup N]');
    process.exit(0);
  }
  const positive = (name: string, raw: string, min: number): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number >= ${min} (got "${raw}")`);
    return value;
  };
  if (values.url !== undefined && values.token === undefined) throw new Error('--url needs --token (a platform-admin bearer token)');
  const n = positive('requests', values.requests, 1);
  const concurrency = positive('concurrency', values.concurrency, 1);
  const warmup = values.warmup === '' ? Math.min(200, Math.max(concurrency * 4, Math.ceil(n / 10))) : positive('warmup', values.warmup, 0);
  return { url: values.url?.replace(/\/+$/, ''), token: values.token, n, concurrency, warmup };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address !== null && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The service in this process, on free ports, at log level warn. */
async function startInProcess(): Promise<Target> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'matih-bench-'));
  const tenantPort = await freePort();
  let infraPort = await freePort();
  while (infraPort === tenantPort) infraPort = await freePort();
  const token = `bench-${randomBytes(24).toString('base64url')}`;
  const config = loadConfig({
    ...process.env,
    MATIH_TENANT_PORT: String(tenantPort),
    MATIH_INFRA_PORT: String(infraPort),
    MATIH_HOST: '127.0.0.1',
    MATIH_DATA_DIR: dataDir,
    MATIH_BOOTSTRAP_TOKEN: token,
    MATIH_LOG_LEVEL: 'warn',
  });
  let app: App;
  try {
    app = await createApp(config);
  } catch (error) {
    await fs.rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { tenantUrl } = await app.listen();
  return {
    url: tenantUrl,
    token,
    database: app.database.kind,
    async stop() {
      await app.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A running service elsewhere: its database kind comes from /ready ("postgres: up"). */
async function attach(url: string, token: string): Promise<Target> {
  let database = 'unknown';
  try {
    const res = await fetch(`${url}/ready`);
    const body = (await res.json()) as { database?: unknown };
    if (typeof body.database === 'string') database = body.database.split(':')[0] ?? database;
  } catch {
    // Reported as unknown; the run itself will show whether the service answers.
  }
  return { url, token, database, stop: async () => undefined };
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

interface Outcome {
  summary: Summary;
  samples: string[];
}

type Summary = ReturnType<typeof summarise>;

function summarise(options: Options, target: Target, result: RunResult, warmupErrors: number) {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length);
  return {
    benchmark: 'create-tenant',
    database: target.database,
    inProcess: options.url === undefined,
    n: options.n,
    concurrency: options.concurrency,
    warmup: options.warmup,
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? Number.NaN),
    meanMs: round(mean),
    throughputRps: round((result.latenciesMs.length / result.elapsedMs) * 1000, 1),
    errors: result.errors,
    warmupErrors,
    processCpuMsPerRequest: round(result.cpuMs / Math.max(1, result.latenciesMs.length), 3),
  };
}

async function measure(options: Options, target: Target): Promise<Outcome> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  // Ctrl-C: stop the in-process service too, so its data directory and lock do not linger.
  process.once('SIGINT', () => {
    agent.destroy();
    void target.stop().finally(() => process.exit(130));
  });
  try {
    let warmupErrors = 0;
    if (options.warmup > 0) {
      const warm = await run(target, agent, runId, 'w', options.warmup, options.concurrency);
      warmupErrors = warm.errors;
      if (warm.errors > 0) console.error(`warm-up: ${warm.errors} requests did not answer 201, e.g.:\n  ${warm.samples.join('\n  ')}`);
    }
    const result = await run(target, agent, runId, 'm', options.n, options.concurrency);
    return { summary: summarise(options, target, result, warmupErrors), samples: result.samples };
  } finally {
    agent.destroy();
    // Stopped before anything is printed: a closed stdout (`| head -1`) cannot leave it running.
    await target.stop();
  }
}

function report(summary: Summary, url: string, samples: readonly string[]): void {
  console.log(JSON.stringify(summary));
  console.log('');
  console.log(`create-tenant on ${summary.database}${summary.inProcess ? ' (service in-process)' : ` at ${url}`}`);
  console.log(`  requests     ${summary.n} (+${summary.warmup} warm-up), ${summary.concurrency} concurrent clients`);
  console.log(`  p50          ${summary.p50Ms.toFixed(2).padStart(9)} ms`);
  console.log(`  p90          ${summary.p90Ms.toFixed(2).padStart(9)} ms`);
  console.log(`  p99          ${summary.p99Ms.toFixed(2).padStart(9)} ms`);
  console.log(`  max          ${summary.maxMs.toFixed(2).padStart(9)} ms`);
  console.log(`  mean         ${summary.meanMs.toFixed(2).padStart(9)} ms`);
  console.log(`  throughput   ${summary.throughputRps.toFixed(1).padStart(9)} req/s`);
  console.log(`  cpu/request  ${summary.processCpuMsPerRequest.toFixed(3).padStart(9)} ms (this process${summary.inProcess ? ': clients and service' : ': clients only'})`);
  console.log(`  errors       ${String(summary.errors).padStart(9)}${summary.warmupErrors > 0 ? ` (+${summary.warmupErrors} in warm-up)` : ''}`);
  if (summary.errors > 0) console.error(`\n${summary.errors} requests did not answer 201, e.g.:\n  ${samples.join('\n  ')}`);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const target = options.url !== undefined && options.token !== undefined ? await attach(options.url, options.token) : await startInProcess();
  const { summary, samples } = await measure(options, target);
  report(summary, target.url, samples);
  return summary.errors + summary.warmupErrors > 0 ? 1 : 0;
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
