/**
 * Benchmark: live provisioning progress over WebSocket (GET /ws/provisioning/:id) with many watchers.
 *
 *   npx tsx bench/ws-fanout.ts [-w 1000] [-n 100] [-c 8] [--delay-ms 20] [--idle-s 10] [--credential key|bootstrap]
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/ws-fanout.ts ...
 *
 * The service runs as a child process (`node --import tsx src/main.ts`), as `npm run dev` runs it,
 * so that its CPU time and peak RSS are its own, read from /proc/<pid>: without DATABASE_URL on its
 * embedded PostgreSQL server under a fresh temporary MATIH_DATA_DIR; with DATABASE_URL on a scratch
 * database `matih_bench_<hex>` created on that server (tenant roles `bench_<hex>_...`), dropped at
 * the end. The reconciler's periodic sweep is off (MATIH_RECONCILE_INTERVAL_S=0), so that the idle
 * window measures the streams and not a sweep; everything else runs as in production.
 *
 * Phases:
 *  1. live: N Professional tenants are created through the API (the engine provisions them with
 *     MATIH_SIM_DELAY_MS per simulated cloud call, -c workers); W watchers, W/N per tenant, connect
 *     with `?since=0` as the tenants are created and follow them to the end. Every watcher must
 *     see the transitions 1..last exactly once, in order (else the run fails). Latency of each
 *     live transition (one committed after its watcher's first status): client receive time minus
 *     the row's created_at. created_at is now() of the writing transaction, i.e. its start, read
 *     from the database server's clock, which is this machine's clock; the figure therefore also
 *     holds the writing transaction's own duration, an upper bound on commit-to-client.
 *  2. idle: every tenant ACTIVE, the W watchers still connected: the service's CPU (utime+stime
 *     from /proc/<pid>/stat) over --idle-s seconds, as % of one core; then the same with the
 *     watchers closed (what the service costs idle without them).
 * Prints one JSON line first, then a table. Exits 1 on any gap, duplicate, or failed connection.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { WebSocket } from 'ws';
import { freeLoopbackPort } from '../src/store/server/free-port.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const { values } = parseArgs({
  options: {
    watchers: { type: 'string', short: 'w', default: '1000' },
    tenants: { type: 'string', short: 'n', default: '100' },
    concurrency: { type: 'string', short: 'c', default: '8' },
    'delay-ms': { type: 'string', default: '20' },
    'idle-s': { type: 'string', default: '10' },
    credential: { type: 'string', default: 'key' },
  },
  strict: true,
});
const int = (name: string, raw: string, min: number) => {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be a whole number >= ${min} (got "${raw}")`);
  return v;
};
const WATCHERS = int('watchers', values.watchers, 1);
const TENANTS = int('tenants', values.tenants, 1);
const WORKERS = int('concurrency', values.concurrency, 1);
const DELAY_MS = int('delay-ms', values['delay-ms'], 0);
const IDLE_S = int('idle-s', values['idle-s'], 1);
if (values.credential !== 'key' && values.credential !== 'bootstrap') throw new Error('--credential must be key or bootstrap');
const CREDENTIAL = values.credential;
const serverUrl = process.env.DATABASE_URL || undefined;
const CLK_TCK = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

const nowMs = () => performance.timeOrigin + performance.now();
const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? Number.NaN;
}

/* ------------------------------------------ the service ------------------------------------------ */

interface Scratch {
  name: string;
  prefix: string;
  url: string;
}

async function adminQuery(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createScratch(server: string): Promise<Scratch> {
  const hex = randomBytes(4).toString('hex');
  const name = `matih_bench_${hex}`;
  await adminQuery(server, `create database ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { name, prefix: `bench_${hex}_`, url: url.toString() };
}

async function dropScratch(server: string, scratch: Scratch): Promise<void> {
  await adminQuery(server, `drop database if exists ${scratch.name} with (force)`);
  const like = `left(%s, length($1)) = $1`;
  const dbs = await adminQuery(server, `select datname as name from pg_database where ${like.replace('%s', 'datname')}`, [scratch.prefix]);
  for (const row of dbs.rows as { name: string }[]) await adminQuery(server, `drop database if exists "${row.name}" with (force)`);
  const roles = await adminQuery(server, `select rolname as name from pg_roles where ${like.replace('%s', 'rolname')}`, [scratch.prefix]);
  for (const row of roles.rows as { name: string }[]) await adminQuery(server, `drop role if exists "${row.name}"`);
}

interface Service {
  child: ChildProcess;
  pid: number;
  url: string;
  token: string;
  stderr: () => string;
  stop: () => Promise<void>;
}

async function startService(scratch: Scratch | undefined, dataDir: string): Promise<Service> {
  const token = `bench-${randomBytes(24).toString('base64url')}`;
  const [tenantPort, infraPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const env: Record<string, string> = {};
  // Any MATIH_* variable passes through (MATIH_DB_POOL_SIZE...) unless the bench sets it below.
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'DATABASE_URL' && k !== 'TENANT_DATABASE_URL') env[k] = v;
  Object.assign(env, {
    MATIH_TENANT_PORT: String(tenantPort),
    MATIH_INFRA_PORT: String(infraPort),
    MATIH_DNS_PORT: '0',
    MATIH_HOST: '127.0.0.1',
    MATIH_DATA_DIR: dataDir,
    MATIH_BOOTSTRAP_TOKEN: token,
    MATIH_LOG_LEVEL: 'warn',
    MATIH_SECRET_KEY: randomBytes(32).toString('base64'),
    MATIH_RATE_LIMIT_PER_CREDENTIAL: '0',
    MATIH_RATE_LIMIT_PER_TENANT: '0',
    MATIH_WORKER_CONCURRENCY: String(WORKERS),
    MATIH_SIM_DELAY_MS: String(DELAY_MS),
    MATIH_RECONCILE_INTERVAL_S: '0',
    ...(scratch ? { DATABASE_URL: scratch.url, MATIH_TENANT_DB_PREFIX: scratch.prefix } : {}),
  });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let done = false;
  void exited.then(() => (done = true));
  const url = `http://127.0.0.1:${tenantPort}`;
  const service: Service = {
    child,
    pid: child.pid ?? -1,
    url,
    token,
    stderr: () => stderr,
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (done) throw new Error(`the service exited before it was ready:\n${stderr}`);
    if (Date.now() > deadline) {
      await service.stop();
      throw new Error(`the service was not ready in 90 s:\n${stderr}`);
    }
    try {
      const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return service;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
}

/** utime + stime of a process, in ms. */
async function cpuMsOf(pid: number): Promise<number> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at ") "; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** Peak resident set (VmHWM) of a process, in MB. */
async function peakRssMbOf(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

async function idleCpuPct(pid: number, seconds: number): Promise<number> {
  const cpu0 = await cpuMsOf(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const cpu1 = await cpuMsOf(pid);
  return round(((cpu1 - cpu0) / (performance.now() - t0)) * 100, 2);
}

/* ------------------------------------------ watchers ------------------------------------------ */

interface Message {
  type: string;
  seq?: number;
  createdAt?: string;
  status?: { lastSequence: number; status: string; job?: { status: string } };
}

interface Watcher {
  ws: WebSocket;
  tenantId: string;
  /** When its first message (the status at connect) arrived: transitions committed after it are live. */
  liveFrom: number | undefined;
  lastSeq: number;
  finished: boolean;
  problems: string[];
}

const latencies: number[] = [];
/** Live transitions as received: tenant, sequence, when (for the figure against the bench's own LISTEN). */
const received_: { tenantId: string; seq: number; at: number }[] = [];
let messages = 0;

/**
 * The bench's own LISTEN on the service's channel: when each commit's notice reached a client of
 * the database on this machine. A notice goes out at commit, so this is a moment just after the
 * commit (PostgreSQL's delivery, well under a millisecond on an idle machine), where created_at is
 * before it by the writing transaction's duration. Per tenant: sequence -> arrival times.
 */
const notices = new Map<string, { seq: number; at: number }[]>();
async function listen(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  client.on('notification', (n) => {
    const at = nowMs();
    const [tenantId, seq] = (n.payload ?? '').split(':');
    if (!tenantId || !seq) return;
    let list = notices.get(tenantId);
    if (!list) notices.set(tenantId, (list = []));
    list.push({ seq: Number(seq), at });
  });
  await client.connect();
  await client.query('LISTEN matih_progress');
  return client;
}

/** Receive time minus the arrival of the first notice that covers the row (its transaction's). */
function noticeLatencies(): number[] {
  const out: number[] = [];
  for (const r of received_) {
    const notice = notices.get(r.tenantId)?.find((n) => n.seq >= r.seq);
    if (notice) out.push(r.at - notice.at);
  }
  return out.sort((a, b) => a - b);
}

function watch(base: string, tenantId: string, bearer: string): Promise<Watcher> {
  const ws = new WebSocket(`${base}/ws/provisioning/${tenantId}?since=0`, { headers: { authorization: `Bearer ${bearer}` } });
  const w: Watcher = { ws, tenantId, liveFrom: undefined, lastSeq: 0, finished: false, problems: [] };
  ws.on('message', (data: Buffer) => {
    const received = nowMs();
    messages++;
    const m = JSON.parse(data.toString()) as Message;
    w.liveFrom ??= received;
    if (m.type === 'transition') {
      if (m.seq !== w.lastSeq + 1) w.problems.push(`seq ${String(m.seq)} after ${w.lastSeq}`);
      w.lastSeq = Math.max(w.lastSeq, m.seq ?? 0);
      const created = Date.parse(m.createdAt ?? '');
      if (created >= w.liveFrom) {
        latencies.push(received - created);
        received_.push({ tenantId: w.tenantId, seq: m.seq ?? 0, at: received });
      }
    } else if (m.type === 'status') {
      if (m.status?.job?.status === 'SUCCEEDED' && m.status.lastSequence === w.lastSeq) w.finished = true;
    } else {
      w.problems.push(`${m.type}: ${JSON.stringify(m).slice(0, 200)}`);
    }
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(w));
    ws.once('error', reject);
    ws.on('close', (code) => {
      if (!w.finished) w.problems.push(`closed ${code} before the end`);
    });
  });
}

async function createTenant(service: Service, i: number): Promise<{ id: string; key: string }> {
  const n = `${Date.now().toString(36)}-${i}-${randomBytes(3).toString('hex')}`;
  const res = await fetch(`${service.url}/api/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${service.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `Fanout ${n}`, slug: `fanout-${n}`, tier: 'PROFESSIONAL', adminEmail: `admin-${n}@bench.example.com`, cloudProvider: 'AZURE', region: 'eastus' }),
  });
  const body = (await res.json()) as { id: string; initialApiKey: { key: string } };
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(body)}`);
  return { id: body.id, key: body.initialApiKey.key };
}

/* ------------------------------------------ the run ------------------------------------------ */

let cleanup: (() => Promise<void>) | undefined;
process.once('SIGINT', () => {
  console.error('interrupted: stopping the service and removing what the run made');
  void (cleanup?.() ?? Promise.resolve()).finally(() => process.exit(130));
});

/** What the run prints, once the service is stopped and the scratch database dropped (so `| head -1` cannot leave them behind). */
const out: string[] = [];

async function main(): Promise<number> {
  const scratch = serverUrl ? await createScratch(serverUrl) : undefined;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'matih-bench-'));
  let service: Service | undefined;
  let cleaning: Promise<void> | undefined;
  cleanup = () =>
    (cleaning ??= (async () => {
      try {
        await service?.stop();
      } finally {
        if (serverUrl && scratch) await dropScratch(serverUrl, scratch);
        await fs.rm(dataDir, { recursive: true, force: true });
      }
    })());
  const watchers: Watcher[] = [];
  let benchListener: pg.Client | undefined;
  try {
    service = await startService(scratch, dataDir);
    // The embedded server's URL is beside its data directory (postgres.url).
    const databaseUrl = scratch?.url ?? (await fs.readFile(path.join(dataDir, 'postgres.url'), 'utf8')).trim();
    benchListener = await listen(databaseUrl);
    const base = service.url.replace('http', 'ws');
    const perTenant = Math.ceil(WATCHERS / TENANTS);

    // 1. live: tenants created one after another, each watched from the moment it exists.
    const liveStarted = performance.now();
    const liveCpuStart = await cpuMsOf(service.pid);
    const connecting: Promise<Watcher>[] = [];
    for (let i = 0; i < TENANTS; i++) {
      const tenant = await createTenant(service, i);
      const bearer = CREDENTIAL === 'key' ? tenant.key : service.token;
      const count = Math.min(perTenant, WATCHERS - i * perTenant);
      for (let k = 0; k < count; k++) connecting.push(watch(base, tenant.id, bearer));
    }
    watchers.push(...(await Promise.all(connecting)));
    const deadline = Date.now() + 30 * 60_000;
    while (watchers.some((w) => !w.finished && w.problems.length === 0)) {
      if (Date.now() > deadline) throw new Error('watchers did not see every tenant to its end within 30 minutes');
      await sleep(100);
    }
    const liveSeconds = (performance.now() - liveStarted) / 1000;
    // How busy the service was meanwhile (engine included): near 100 % its event loop queues everything.
    const liveCpuPct = round(((await cpuMsOf(service.pid)) - liveCpuStart) / (liveSeconds * 10), 1);

    // 2. idle: the same watchers, nothing provisioning; then none.
    await sleep(3_000);
    const idleWith = await idleCpuPct(service.pid, IDLE_S);
    for (const w of watchers) w.ws.close();
    await sleep(3_000);
    const idleWithout = await idleCpuPct(service.pid, IDLE_S);
    const peakRssMb = await peakRssMbOf(service.pid);

    const problems = watchers.flatMap((w) => w.problems.map((p) => `${w.tenantId}: ${p}`));
    const sorted = [...latencies].sort((a, b) => a - b);
    const afterNotice = noticeLatencies();
    out.push(
      JSON.stringify({
        benchmark: 'ws-fanout',
        watchers: watchers.length,
        p50Ms: round(percentile(sorted, 50)),
        p99Ms: round(percentile(sorted, 99)),
        idleCpuPct: idleWith,
        peakRssMb,
        database: scratch ? 'external' : 'embedded',
        tenants: TENANTS,
        credential: CREDENTIAL,
        workers: WORKERS,
        simDelayMs: DELAY_MS,
        liveTransitions: sorted.length,
        messages,
        maxMs: round(sorted.at(-1) ?? Number.NaN),
        noticeToClientP50Ms: round(percentile(afterNotice, 50)),
        noticeToClientP99Ms: round(percentile(afterNotice, 99)),
        idleCpuPctNoWatchers: idleWithout,
        idleSeconds: IDLE_S,
        liveSeconds: round(liveSeconds, 1),
        liveCpuPct,
        errors: problems.length,
      }),
    );
    out.push('');
    out.push(`ws-fanout: ${watchers.length} watchers on ${TENANTS} Professional tenants (${perTenant} each, credential: ${CREDENTIAL}), ${scratch ? 'a scratch database on DATABASE_URL' : 'the embedded PostgreSQL server'}`);
    out.push(`  engine: ${WORKERS} workers, ${DELAY_MS} ms per simulated cloud call; live phase ${round(liveSeconds, 1)} s (service CPU ${liveCpuPct} % of one core), ${messages} messages received`);
    out.push('');
    out.push(`  commit-to-client (created_at to receive), ${sorted.length} live transitions`);
    out.push(`    p50   ${round(percentile(sorted, 50)).toFixed(2).padStart(9)} ms`);
    out.push(`    p90   ${round(percentile(sorted, 90)).toFixed(2).padStart(9)} ms`);
    out.push(`    p99   ${round(percentile(sorted, 99)).toFixed(2).padStart(9)} ms`);
    out.push(`    max   ${round(sorted.at(-1) ?? Number.NaN).toFixed(2).padStart(9)} ms`);
    out.push(`  notice-to-client (the bench's own LISTEN hears the commit's notice, to receive), ${afterNotice.length} transitions`);
    out.push(`    p50   ${round(percentile(afterNotice, 50)).toFixed(2).padStart(9)} ms`);
    out.push(`    p99   ${round(percentile(afterNotice, 99)).toFixed(2).padStart(9)} ms`);
    out.push(`  service CPU idle, % of one core over ${IDLE_S} s`);
    out.push(`    ${String(watchers.length).padStart(4)} watchers ${idleWith.toFixed(2).padStart(8)} %`);
    out.push(`       0 watchers ${idleWithout.toFixed(2).padStart(8)} %`);
    out.push(`  service peak RSS   ${peakRssMb} MB`);
    out.push(`  errors (gaps, duplicates, early closes): ${problems.length}`);
    if (problems.length > 0) out.push(problems.slice(0, 10).join('\n'));
    return problems.length > 0 ? 1 : 0;
  } catch (error) {
    if (service) console.error(`service stderr (tail):\n${service.stderr().slice(-4_000)}`);
    throw error;
  } finally {
    for (const w of watchers) w.ws.terminate();
    await benchListener?.end().catch(() => undefined);
    await cleanup();
  }
}

main().then(
  (code) => {
    for (const line of out) console.log(line);
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('bench failed:', error);
    process.exitCode = 1;
  },
);
