/**
 * Benchmark: live provisioning progress over WebSocket (GET /ws/provisioning/:id) with many watchers.
 *
 *   npx tsx bench/ws-fanout.ts [-w 1000] [-n 100] [-c 8] [--delay-ms 20] [--idle-s 10] [--credential key|bootstrap]
 *     [--total-tenants 10000] [--service-node-flags='--trace-gc']
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
 *  With --total-tenants T (issue 17 item 5: the service with 10,000 tenants and 1,000 watchers stays
 *  under 512 MB), between the two idle windows, the watchers still connected:
 *  3. many tenants: the database grows to T tenants, the N provisioned ones cloned in bulk SQL
 *     (support/clone-tenants.ts: ACTIVE tenants with their cluster objects, DNS zones, roles and
 *     schemas, as reconcile-sweep.ts makes them); then the service does what it does with many
 *     tenants: a full reconcile sweep asked for through the API (POST
 *     /api/v1/infrastructure/reconciler/sweeps; it must check T tenants and find no drift), every
 *     tenant listed through the API page by page, /metrics scraped; then --idle-s seconds idle.
 *     The service's resident set (VmRSS) and its V8 heap (from its own /metrics) are read after
 *     each of these; peakRssMb stays the peak of the whole run (VmHWM at the end).
 * Prints one JSON line first, then a table. Exits 1 on any gap, duplicate, or failed connection.
 */
import './support/closed-stdout.js';
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
import { cloneTenants } from './support/clone-tenants.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const { values } = parseArgs({
  options: {
    watchers: { type: 'string', short: 'w', default: '1000' },
    tenants: { type: 'string', short: 'n', default: '100' },
    concurrency: { type: 'string', short: 'c', default: '8' },
    'delay-ms': { type: 'string', default: '20' },
    'idle-s': { type: 'string', default: '10' },
    credential: { type: 'string', default: 'key' },
    'total-tenants': { type: 'string', default: '0' },
    'service-node-flags': { type: 'string', default: '' },
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
// 0: no growth phase; else the tenants the database holds in phase 3 (the N provisioned ones included).
const TOTAL_TENANTS = int('total-tenants', values['total-tenants'], 0);
if (TOTAL_TENANTS !== 0 && TOTAL_TENANTS < TENANTS) throw new Error(`--total-tenants must be 0 or at least -n (${TENANTS})`);
// Profiling the service: node flags for it (--service-node-flags='--trace-gc --heap-prof --heap-prof-dir=/tmp'),
// given on its command line (NODE_OPTIONS refuses some, --trace-gc among them); its stdout then kept in a file.
const SERVICE_NODE_FLAGS = values['service-node-flags'].split(/\s+/).filter(Boolean);
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
  // One statement for them all: with --total-tenants there are thousands (a session each would take minutes).
  const prefix = scratch.prefix.replaceAll("'", "''");
  await adminQuery(
    server,
    `do $$ declare r record; begin
      for r in select rolname from pg_roles where left(rolname, length('${prefix}')) = '${prefix}' loop execute format('drop role %I', r.rolname); end loop;
    end $$`,
  );
}

interface Service {
  child: ChildProcess;
  pid: number;
  url: string;
  /** The infrastructure API (the reconciler's routes). */
  infraUrl: string;
  token: string;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** With --service-node-flags: the file that holds the service's stdout (kept). */
let serviceStdout: string | undefined;

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
  let stdoutFile: fs.FileHandle | undefined;
  if (SERVICE_NODE_FLAGS.length > 0) {
    serviceStdout = path.join(os.tmpdir(), `ws-fanout-service-${randomBytes(3).toString('hex')}.log`);
    stdoutFile = await fs.open(serviceStdout, 'w');
  }
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, '--import', 'tsx', 'src/main.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', stdoutFile?.fd ?? 'ignore', 'pipe'] });
  // The child has its own copy of the descriptor.
  await stdoutFile?.close();
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
    infraUrl: `http://127.0.0.1:${infraPort}`,
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

/** A resident set figure of /proc/<pid>/status, in MB: VmHWM (the peak so far) or VmRSS (now). */
async function rssMbOf(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}
const peakRssMbOf = (pid: number) => rssMbOf(pid, 'VmHWM');

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

/* ------------------------------------------ many tenants ------------------------------------------ */

/** The service's memory at one moment: its resident set from /proc, its V8 heap from its own /metrics. */
interface MemoryAt {
  stage: string;
  tenants: number;
  rssMb: number;
  /** VmHWM: the peak resident set up to this moment. */
  peakRssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  /** Memory of C++ objects bound to JavaScript ones (Buffers, sockets' buffers). */
  externalMb: number;
}

async function scrape(service: Service): Promise<string> {
  const res = await fetch(`${service.url}/metrics`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return text;
}

/** A sample of the exposition text with no labels (prom-client's default process metrics, prefix matih_), in MB. */
function metricMb(text: string, name: string): number {
  const value = new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1];
  return value === undefined ? Number.NaN : round(Number(value) / 2 ** 20, 1);
}

async function memoryAt(service: Service, stage: string, tenants: number): Promise<MemoryAt> {
  const text = await scrape(service);
  return {
    stage,
    tenants,
    rssMb: await rssMbOf(service.pid, 'VmRSS'),
    peakRssMb: await rssMbOf(service.pid, 'VmHWM'),
    heapUsedMb: metricMb(text, 'matih_nodejs_heap_size_used_bytes'),
    heapTotalMb: metricMb(text, 'matih_nodejs_heap_size_total_bytes'),
    externalMb: metricMb(text, 'matih_nodejs_external_memory_bytes'),
  };
}

interface SweepPass {
  scope: string;
  startedAt: string;
  durationMs: number;
  tenantsChecked: number;
  drifted: number;
  jobsQueued: number;
  errors: number;
}

/**
 * The highest of each memory figure over samples (a transient does not last until the next stage),
 * with the V8 heap spaces' sizes: where in the heap, or outside it, a peak is.
 */
class MemoryHighs {
  readonly highs: Record<string, number> = {};
  samples = 0;
  async sample(service: Service): Promise<void> {
    const text = await scrape(service);
    const figures: Record<string, number> = {
      rssMb: await rssMbOf(service.pid, 'VmRSS'),
      heapTotalMb: metricMb(text, 'matih_nodejs_heap_size_total_bytes'),
      heapUsedMb: metricMb(text, 'matih_nodejs_heap_size_used_bytes'),
      externalMb: metricMb(text, 'matih_nodejs_external_memory_bytes'),
    };
    for (const space of ['new', 'old', 'large_object', 'new_large_object', 'code']) {
      figures[`${space}SpaceMb`] = metricMb(text.replaceAll(`{space="${space}"}`, `_${space}`), `matih_nodejs_heap_space_size_total_bytes_${space}`);
    }
    for (const [name, value] of Object.entries(figures)) if (!(value <= (this.highs[name] ?? -Infinity))) this.highs[name] = value;
    this.samples++;
  }
}

/**
 * Asks the service for a full reconcile sweep and waits for its end (the status's lastPass),
 * sampling the service's memory every 250 ms meanwhile.
 */
async function sweepThroughApi(service: Service, highs: MemoryHighs): Promise<SweepPass> {
  const headers = { authorization: `Bearer ${service.token}` };
  const res = await fetch(`${service.infraUrl}/api/v1/infrastructure/reconciler/sweeps`, { method: 'POST', headers });
  const body = (await res.json()) as { requestedAt?: string };
  if (res.status !== 202 || body.requestedAt === undefined) throw new Error(`asking for a sweep answered ${res.status}: ${JSON.stringify(body)}`);
  const { requestedAt } = body;
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const status = await fetch(`${service.infraUrl}/api/v1/infrastructure/reconciler`, { headers });
    const { lastPass } = (await status.json()) as { lastPass: SweepPass | null };
    if (lastPass?.scope === 'full' && lastPass.startedAt >= requestedAt) return lastPass;
    if (Date.now() > deadline) throw new Error('the requested sweep did not end within 30 minutes');
    await highs.sample(service);
    await sleep(250);
  }
}

/** Every tenant through GET /api/v1/tenants, page by page (200, the most a page holds). */
async function listEveryTenant(service: Service): Promise<{ tenants: number; pages: number }> {
  let cursor: string | null = null;
  let tenants = 0;
  let pages = 0;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const res = await fetch(`${service.url}/api/v1/tenants?limit=200${query}`, { headers: { authorization: `Bearer ${service.token}` } });
    const page = (await res.json()) as { items: unknown[]; nextCursor: string | null };
    if (res.status !== 200) throw new Error(`listing tenants answered ${res.status}: ${JSON.stringify(page)}`);
    tenants += page.items.length;
    pages++;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return { tenants, pages };
}

interface Growth {
  total: number;
  cloneSeconds: number;
  sweep: SweepPass & { seconds: number };
  /** The highest memory figures sampled during the sweep. */
  sweepHighs: MemoryHighs;
  listed: { tenants: number; pages: number; seconds: number };
  metricsBytes: number;
  idleCpuPct: number;
  watchersOpen: number;
  memory: MemoryAt[];
  problems: string[];
}

/**
 * Phase 3: the database grows to `total` tenants behind the service's back (as a restore or
 * another replica would), then the service sweeps, lists and is scraped, the watchers open
 * throughout. Fails nothing itself: what went wrong is in `problems`.
 */
async function grow(service: Service, databaseUrl: string, watchers: readonly Watcher[], total: number): Promise<Growth> {
  const memory: MemoryAt[] = [await memoryAt(service, `${TENANTS} tenants, after the live phase and idle`, TENANTS)];
  const problems: string[] = [];
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  const cloneStarted = performance.now();
  try {
    await cloneTenants((text) => client.query(text), total - TENANTS);
  } finally {
    await client.end().catch(() => undefined);
  }
  const cloneSeconds = round((performance.now() - cloneStarted) / 1000, 1);
  memory.push(await memoryAt(service, 'cloned in the database (the service idle)', total));

  const sweepStarted = performance.now();
  const sweepHighs = new MemoryHighs();
  const pass = await sweepThroughApi(service, sweepHighs);
  const sweep = { ...pass, seconds: round((performance.now() - sweepStarted) / 1000, 1) };
  if (pass.tenantsChecked !== total || pass.drifted > 0 || pass.errors > 0) {
    problems.push(`the sweep should find ${total} matching tenants: ${JSON.stringify(pass)}`);
  }
  memory.push(await memoryAt(service, 'after a full reconcile sweep', total));

  const listStarted = performance.now();
  const listed = { ...(await listEveryTenant(service)), seconds: round((performance.now() - listStarted) / 1000, 1) };
  if (listed.tenants !== total) problems.push(`listing found ${listed.tenants} tenants, not ${total}`);
  memory.push(await memoryAt(service, `after listing every tenant (${listed.pages} pages)`, total));

  const metricsBytes = (await scrape(service)).length;
  const idle = await idleCpuPct(service.pid, IDLE_S);
  memory.push(await memoryAt(service, `after /metrics and ${IDLE_S} s idle`, total));
  const watchersOpen = watchers.filter((w) => w.ws.readyState === WebSocket.OPEN).length;
  if (watchersOpen !== watchers.length) problems.push(`${watchers.length - watchersOpen} watchers were closed during the growth phase`);
  return { total, cloneSeconds, sweep, sweepHighs, listed, metricsBytes, idleCpuPct: idle, watchersOpen, memory, problems };
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
    const peakRssMbBeforeGrowth = await peakRssMbOf(service.pid);

    // 3. many tenants, the watchers still connected.
    const growth = TOTAL_TENANTS > 0 ? await grow(service, databaseUrl, watchers, TOTAL_TENANTS) : undefined;

    for (const w of watchers) w.ws.close();
    await sleep(3_000);
    const idleWithout = await idleCpuPct(service.pid, IDLE_S);
    const peakRssMb = await peakRssMbOf(service.pid);

    const problems = [...watchers.flatMap((w) => w.problems.map((p) => `${w.tenantId}: ${p}`)), ...(growth?.problems ?? [])];
    const atTotal = growth?.memory.at(-1);
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
        ...(growth && atTotal
          ? {
              totalTenants: growth.total,
              rssMbAtTotal: atTotal.rssMb,
              heapUsedMbAtTotal: atTotal.heapUsedMb,
              peakRssMbBeforeGrowth,
              sweepSeconds: growth.sweep.seconds,
              idleCpuPctAtTotal: growth.idleCpuPct,
            }
          : {}),
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
    out.push(`  service peak RSS   ${peakRssMb} MB (whole run), ${peakRssMbBeforeGrowth} MB after the live phase and idle`);
    if (growth) {
      out.push('');
      out.push(`  ${growth.total} tenants (${growth.total - TENANTS} cloned in ${growth.cloneSeconds} s), ${growth.watchersOpen} watchers open throughout`);
      out.push(`    full sweep asked through the API: ${growth.sweep.seconds} s, ${growth.sweep.tenantsChecked} checked, ${growth.sweep.drifted} drifted, ${growth.sweep.errors} errors`);
      out.push(`    listed ${growth.listed.tenants} tenants in ${growth.listed.pages} pages, ${growth.listed.seconds} s; /metrics ${growth.metricsBytes} bytes`);
      out.push(`    idle CPU with ${growth.watchersOpen} watchers at ${growth.total} tenants: ${growth.idleCpuPct} % of one core`);
      out.push(`    ${'service memory, MB'.padEnd(60)} ${'RSS'.padStart(6)} ${'peak'.padStart(6)} ${'heap used'.padStart(10)} ${'heap total'.padStart(11)} ${'external'.padStart(9)}`);
      for (const m of growth.memory) {
        out.push(`    ${m.stage.slice(0, 60).padEnd(60)} ${String(m.rssMb).padStart(6)} ${String(m.peakRssMb).padStart(6)} ${String(m.heapUsedMb).padStart(10)} ${String(m.heapTotalMb).padStart(11)} ${String(m.externalMb).padStart(9)}`);
      }
      const highs = Object.entries(growth.sweepHighs.highs).map(([name, value]) => `${name} ${value}`);
      out.push(`    highest during the sweep (${growth.sweepHighs.samples} samples, MB): ${highs.join(', ')}`);
    }
    if (serviceStdout) out.push(`  the service ran with node ${SERVICE_NODE_FLAGS.join(' ')}; its stdout: ${serviceStdout}`);
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
