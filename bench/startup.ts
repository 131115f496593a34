/**
 * Benchmark: how long the service takes from `node dist/main.js` to a 200 on /ready, on its
 * embedded default: a first start on an empty data directory (initdb, server start, migrations),
 * a warm restart after SIGTERM (server start, no migrations), and a start after a kill -9 (the
 * server left running is adopted). The floor, measured in the same run: the embedded server alone
 * (initdb and pg_ctl start, then start only) on another empty directory, without Node's service.
 *
 *   npm run build && npx tsx bench/startup.ts [--runs 3]
 *
 * Prints one JSON line (medians over the runs), then a table.
 */
import './support/closed-stdout.js';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { EmbeddedPostgres } from '../src/store/server/embedded-postgres.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = path.join(ROOT, 'dist', 'main.js');

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

interface Running {
  child: ChildProcess;
  exited: Promise<number | null>;
}

async function startService(dataDir: string): Promise<{ ms: number; service: Running }> {
  const tenantPort = await freePort();
  const infraPort = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    stdio: 'ignore',
    env: { ...process.env, MATIH_DATA_DIR: dataDir, MATIH_TENANT_PORT: String(tenantPort), MATIH_INFRA_PORT: String(infraPort), MATIH_HOST: '127.0.0.1', MATIH_DNS_PORT: '0', MATIH_LOG_LEVEL: 'warn', DATABASE_URL: '' },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(`http://127.0.0.1:${tenantPort}/ready`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return { ms: performance.now() - started, service: { child, exited } };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function stop(service: Running, signal: NodeJS.Signals): Promise<number> {
  const started = performance.now();
  service.child.kill(signal);
  await service.exited;
  return performance.now() - started;
}

async function floor(dir: string): Promise<{ firstMs: number; warmMs: number }> {
  const logger = pino({ level: 'silent' });
  let started = performance.now();
  let server = await EmbeddedPostgres.start({ dataDir: dir, logger });
  const firstMs = performance.now() - started;
  await server.stop();
  started = performance.now();
  server = await EmbeddedPostgres.start({ dataDir: dir, logger });
  const warmMs = performance.now() - started;
  await server.stop();
  return { firstMs, warmMs };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const round = (ms: number) => Math.round(ms);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
  const runs = Number(values.runs);
  await fs.access(MAIN).catch(() => {
    throw new Error(`${MAIN} is missing: run npm run build first`);
  });
  const rows: { first: number; warm: number; adopt: number; stop: number; floorFirst: number; floorWarm: number }[] = [];
  for (let run = 0; run < runs; run++) {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'matih-bench-startup-'));
    const floorDir = await fs.mkdtemp(path.join(os.tmpdir(), 'matih-bench-floor-'));
    try {
      const first = await startService(dataDir);
      const stopMs = await stop(first.service, 'SIGTERM');
      const warm = await startService(dataDir);
      await stop(warm.service, 'SIGKILL');
      const adopt = await startService(dataDir);
      await stop(adopt.service, 'SIGTERM');
      const f = await floor(floorDir);
      rows.push({ first: first.ms, warm: warm.ms, adopt: adopt.ms, stop: stopMs, floorFirst: f.firstMs, floorWarm: f.warmMs });
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
      await fs.rm(floorDir, { recursive: true, force: true });
    }
  }
  const pick = (key: keyof (typeof rows)[number]) => round(median(rows.map((r) => r[key])));
  const result = {
    benchmark: 'startup',
    runs,
    firstStartMs: pick('first'),
    warmStartMs: pick('warm'),
    adoptStartMs: pick('adopt'),
    stopMs: pick('stop'),
    floorFirstStartMs: pick('floorFirst'),
    floorWarmStartMs: pick('floorWarm'),
    ratioFirst: Number((median(rows.map((r) => r.first)) / median(rows.map((r) => r.floorFirst))).toFixed(2)),
    ratioWarm: Number((median(rows.map((r) => r.warm)) / median(rows.map((r) => r.floorWarm))).toFixed(2)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  console.log(JSON.stringify(result));
  console.table(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
