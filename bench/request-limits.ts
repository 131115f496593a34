/**
 * Benchmark: what the rate limits and lockouts (src/api/request-limits.ts) cost a request.
 *
 *   npx tsx bench/request-limits.ts [-n 3000] [-c 16] [--rounds 3] [--tenants 1]
 *
 * Two services in this process, as replicas on one database (the first one's embedded server,
 * under a fresh temporary data directory, removed at the end), engines off: `off` with every limit
 * and lockout at 0, `on` with the defaults' shape (per credential, per tenant, login lockout) at
 * limits no run reaches. The same light request on each, GET /api/v1/tenants/:id with a tenant's
 * API key (two statements to authenticate, one to read), N requests from C keep-alive clients,
 * in rounds alternating off and on after a warm-up of each. Every query any pool sends is counted
 * (pg.Client.prototype.query), so `queriesPerRequest` shows the extra statement itself. With
 * `--tenants 1` every request counts on the same two rows (the worst case: they queue on its row
 * locks); with more, client i uses tenant i mod T's key.
 *
 * Prints one JSON line (each mode's medians over the rounds), then a small table. Exits 1 if any
 * measured request did not answer 200.
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
import { type App, createApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';

const MODES = ['off', 'on'] as const;
type Mode = (typeof MODES)[number];

const { values } = parseArgs({
  options: {
    requests: { type: 'string', short: 'n', default: '3000' },
    concurrency: { type: 'string', short: 'c', default: '16' },
    rounds: { type: 'string', default: '3' },
    tenants: { type: 'string', default: '1' },
  },
});
const N = Number(values.requests);
const C = Number(values.concurrency);
const ROUNDS = Number(values.rounds);
const TENANTS = Number(values.tenants);

// Every statement of every pool in this process.
let queries = 0;
const prototype = pg.Client.prototype as unknown as { query: (this: pg.Client, ...args: unknown[]) => unknown };
const query = prototype.query;
prototype.query = function (this: pg.Client, ...args: unknown[]) {
  queries++;
  return query.apply(this, args);
};

const LIMITS: Record<Mode, Record<string, string>> = {
  off: { MATIH_RATE_LIMIT_PER_CREDENTIAL: '0', MATIH_RATE_LIMIT_PER_TENANT: '0', MATIH_LOGIN_LOCKOUT_FAILURES: '0', MATIH_DELETION_LOCKOUT_FAILURES: '0' },
  on: { MATIH_RATE_LIMIT_PER_CREDENTIAL: '1000000', MATIH_RATE_LIMIT_PER_TENANT: '1000000', MATIH_LOGIN_LOCKOUT_FAILURES: '10', MATIH_DELETION_LOCKOUT_FAILURES: '5' },
};

function get(agent: http.Agent, url: URL, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no response within 30 s')));
    req.on('error', reject);
    req.end();
  });
}

interface Figures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  queriesPerRequest: number;
  cpuMsPerRequest: number;
  errors: number;
}

interface Target {
  path: string;
  key: string;
}

async function load(base: string, targets: readonly Target[], count: number): Promise<Figures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: C });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const before = queries;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: C }, async (_, client) => {
      const target = targets[client % targets.length]!;
      const url = new URL(target.path, base);
      while (next < count) {
        next++;
        const t0 = performance.now();
        const status = await get(agent, url, target.key).catch(() => 0);
        latencies.push(performance.now() - t0);
        if (status !== 200) errors++;
      }
    }),
  );
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? NaN;
  return {
    rps: round((count / elapsed) * 1000, 1),
    p50Ms: round(at(50)),
    p99Ms: round(at(99)),
    queriesPerRequest: round((queries - before) / count),
    cpuMsPerRequest: round((used.user + used.system) / 1000 / count, 3),
    errors,
  };
}

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const dirs = await Promise.all(MODES.map(() => fs.mkdtemp(path.join(os.tmpdir(), 'matih-bench-limits-'))));
  const token = `bench-${randomBytes(24).toString('base64url')}`;
  const common = {
    MATIH_TENANT_PORT: '0',
    MATIH_INFRA_PORT: '0',
    MATIH_DNS_PORT: '0',
    MATIH_HOST: '127.0.0.1',
    MATIH_BOOTSTRAP_TOKEN: token,
    MATIH_LOG_LEVEL: 'warn',
    MATIH_SECRET_KEY: randomBytes(32).toString('base64'),
    MATIH_WORKER_CONCURRENCY: '0',
    TENANT_DATABASE_URL: '',
  };
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const apps: Partial<Record<Mode, App>> = {};
  const urls: Partial<Record<Mode, string>> = {};
  try {
    // The first owns the embedded server; the second is a replica on its database.
    apps.off = await createApp(loadConfig({ ...common, ...LIMITS.off, MATIH_DATA_DIR: dirs[0]!, DATABASE_URL: '' }), logger);
    urls.off = (await apps.off.listen()).tenantUrl;
    apps.on = await createApp(loadConfig({ ...common, ...LIMITS.on, MATIH_DATA_DIR: dirs[1]!, DATABASE_URL: apps.off.database.url }), logger);
    urls.on = (await apps.on.listen()).tenantUrl;

    const targets: Target[] = [];
    for (let i = 0; i < TENANTS; i++) {
      const created = await fetch(`${urls.off}/api/v1/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Bench limits ${i}`, slug: `bench-limits-${i}-${randomBytes(3).toString('hex')}`, tier: 'PROFESSIONAL', adminEmail: `admin-${i}@bench.example.com`, cloudProvider: 'AZURE', region: 'eastus' }),
      });
      if (created.status !== 201) throw new Error(`create failed: ${created.status} ${await created.text()}`);
      const tenant = (await created.json()) as { id: string; initialApiKey: { key: string } };
      targets.push({ path: `/api/v1/tenants/${tenant.id}`, key: tenant.initialApiKey.key });
    }

    for (const mode of MODES) await load(urls[mode]!, targets, Math.min(500, N));
    const results: Record<Mode, Figures[]> = { off: [], on: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES) results[mode].push(await load(urls[mode]!, targets, N));
    }
    const summary = Object.fromEntries(
      MODES.map((mode) => {
        const rs = results[mode];
        const pick = (f: keyof Figures) => median(rs.map((r) => r[f]));
        return [mode, { rps: pick('rps'), p50Ms: pick('p50Ms'), p99Ms: pick('p99Ms'), queriesPerRequest: pick('queriesPerRequest'), cpuMsPerRequest: pick('cpuMsPerRequest'), errors: rs.reduce((s, r) => s + r.errors, 0) }];
      }),
    ) as Record<Mode, Figures>;
    console.log(JSON.stringify({ benchmark: 'request-limits', n: N, concurrency: C, rounds: ROUNDS, tenants: TENANTS, ...summary }));
    console.log('');
    console.log('mode   rps       p50 ms   p99 ms   queries/req   cpu ms/req   errors');
    for (const mode of MODES) {
      const s = summary[mode];
      console.log(`${mode.padEnd(6)} ${String(s.rps).padEnd(9)} ${String(s.p50Ms).padEnd(8)} ${String(s.p99Ms).padEnd(8)} ${String(s.queriesPerRequest).padEnd(13)} ${String(s.cpuMsPerRequest).padEnd(12)} ${s.errors}`);
    }
    if (summary.off.errors + summary.on.errors > 0) process.exitCode = 1;
  } finally {
    await apps.on?.close();
    await apps.off?.close();
    await Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
  }
}

await main();
