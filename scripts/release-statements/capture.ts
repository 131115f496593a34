/**
 * Records the SQL a release sends to its database, for the upgrade compatibility test
 * (test/store/release-compatibility.test.ts; the rule is in docs/operations.md, "Upgrade"). Run it
 * when a release is cut, on that release's tree, and commit the file it writes:
 *
 *   npx tsx scripts/release-statements/capture.ts [--root <the release's tree>] [--server-url <url>] [--out <file>]
 *
 * --root        the tree whose service runs (default: this repository); its package.json names the
 *               release. A tag's tree without touching the checkout:
 *               `mkdir /tmp/r && git archive v0.2.0 | tar -x -C /tmp/r && ln -s "$PWD/node_modules" /tmp/r/`
 * --server-url  a PostgreSQL server whose role may create databases and roles; a scratch database
 *               is made there and dropped afterwards. Default: an embedded server in a temporary
 *               directory (the one the service itself runs)
 * --out         default: test/fixtures/release-statements/<version>.json
 *
 * It starts the release's service (`src/main.ts`) with sql-capture-hook.ts preloaded, drives the
 * workload of workload.ts through its APIs, stops it, and keeps every distinct statement the
 * control plane sent that PREPARE accepts (SELECT, INSERT, UPDATE, DELETE, WITH, VALUES): the
 * statements a previous release's pods keep sending while the next release's migrations run.
 * Left out: transaction control, LISTEN and the migrations' own DDL (they never meet a newer
 * schema as statements), and what the tenant database driver sends to tenant schemas (those have
 * their own migrations, src/drivers/database/tenant-migrations.ts). The file also names each
 * migration of the release with a hash of its SQL, so the test knows which migrations are newer
 * and that none of the released ones was edited.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { EmbeddedPostgres } from '../../src/store/server/embedded-postgres.js';
import { freeLoopbackPort } from '../../src/store/server/free-port.js';
import { type ReleaseStatements, releaseStatements } from './fixture.js';
import type { CapturedStatement } from './sql-capture-hook.js';
import { type Service, WorkloadFailure, faultsPhase, mainPhase } from './workload.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const HOOK = path.join(HERE, 'sql-capture-hook.ts');
const started = Date.now();

function say(line: string): void {
  process.stdout.write(`[capture ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
}

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('MATIH_') || ['DATABASE_URL', 'TENANT_DATABASE_URL', 'KUBECONFIG', 'NODE_OPTIONS', 'OTEL_EXPORTER_OTLP_ENDPOINT'].includes(key)) continue;
    env[key] = value;
  }
  return env;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Running {
  child: ChildProcess;
  service: Service;
  exited: Promise<number | null>;
  output(): string;
}

async function startService(root: string, env: Record<string, string>, token: string): Promise<Running> {
  const [tenantPort, infraPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(HOOK).href, 'src/main.ts'], {
    cwd: root,
    env: { ...env, MATIH_TENANT_PORT: String(tenantPort), MATIH_INFRA_PORT: String(infraPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('close', (c) => resolve((code = c))));
  const service = { tenantUrl: `http://127.0.0.1:${tenantPort}`, infraUrl: `http://127.0.0.1:${infraPort}`, token };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (code !== undefined) throw new Error(`the service exited (${String(code)}) before it was ready:\n${output}`);
    const ready = await Promise.all(
      [service.tenantUrl, service.infraUrl].map((url) =>
        fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) }).then(
          (res) => res.status === 200,
          () => false,
        ),
      ),
    );
    if (ready.every(Boolean)) break;
    if (Date.now() > deadline) throw new Error(`the service was not ready within 120 s:\n${output}`);
    await sleep(200);
  }
  return { child, service, exited, output: () => output };
}

async function stopService(running: Running): Promise<void> {
  running.child.kill('SIGTERM');
  const code = await Promise.race([running.exited, sleep(30_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') {
    running.child.kill('SIGKILL');
    throw new Error(`the service did not stop within 30 s of SIGTERM:\n${running.output()}`);
  }
  if (code !== 0) throw new Error(`the service exited with ${String(code)}:\n${running.output()}`);
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The scratch database, then the databases and roles its tenants made (named with its prefix). */
async function dropScratch(serverUrl: string, database: string, prefix: string): Promise<void> {
  await withClient(serverUrl, async (client) => {
    await client.query(`drop database if exists ${quoteIdent(database)} with (force)`);
    const startsWith = (column: string) => `left(${column}, length($1)) = $1`;
    for (const row of (await client.query<{ n: string }>(`select datname as n from pg_database where ${startsWith('datname')}`, [prefix])).rows) {
      await client.query(`drop database if exists ${quoteIdent(row.n)} with (force)`);
    }
    for (const row of (await client.query<{ n: string }>(`select rolname as n from pg_roles where ${startsWith('rolname')}`, [prefix])).rows) {
      await client.query(`drop role if exists ${quoteIdent(row.n)}`);
    }
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { root: { type: 'string' }, 'server-url': { type: 'string' }, out: { type: 'string' } } });
  const root = path.resolve(values.root ?? REPO);
  const release = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const { MIGRATIONS } = (await import(pathToFileURL(path.join(root, 'src/store/migrations/index.ts')).href)) as {
    MIGRATIONS: readonly { version: number; name: string; sql: string }[];
  };
  const out = path.resolve(values.out ?? path.join(REPO, 'test/fixtures/release-statements', `${release}.json`));
  say(`release ${release} from ${root}: ${MIGRATIONS.length} migrations`);

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'matih-capture-'));
  // Searchable by the embedded server's own user when this runs as root.
  fs.chmodSync(scratch, 0o711);
  let embedded: EmbeddedPostgres | undefined;
  const hex = randomBytes(5).toString('hex');
  const database = `matih_capture_${hex}`;
  const prefix = `c${hex}_`;
  let serverUrl = values['server-url'];
  try {
    if (serverUrl === undefined) {
      fs.mkdirSync(path.join(scratch, 'server'), { mode: 0o711 });
      embedded = await EmbeddedPostgres.start({ dataDir: path.join(scratch, 'server'), logger: pino({ level: 'warn' }), durable: false });
      serverUrl = embedded.url;
    }
    await withClient(serverUrl, (client) => client.query(`create database ${quoteIdent(database)}`));
    const databaseUrl = new URL(serverUrl);
    databaseUrl.pathname = `/${database}`;
    const captureFile = path.join(scratch, 'statements.jsonl');
    const token = `mtb_${randomBytes(24).toString('hex')}`;
    const env = {
      ...cleanEnv(),
      DATABASE_URL: databaseUrl.toString(),
      MATIH_TENANT_DB_PREFIX: prefix,
      MATIH_SECRET_KEY: randomBytes(32).toString('base64'),
      MATIH_BOOTSTRAP_TOKEN: token,
      MATIH_HOST: '127.0.0.1',
      MATIH_DATA_DIR: path.join(scratch, 'data'),
      MATIH_DNS_PORT: '0',
      MATIH_LOG_LEVEL: 'warn',
      // Sweeps often enough that drift is found while the workload waits for it.
      MATIH_RECONCILE_INTERVAL_S: '2',
      MATIH_RETRY_BACKOFF: '1',
      CAPTURE_SQL_FILE: captureFile,
    };
    const phases: { name: string; env: Record<string, string>; run: (s: Service, log: (l: string) => void) => Promise<void> }[] = [
      { name: 'main', env: {}, run: mainPhase },
      { name: 'faults', env: { MATIH_SIM_FAULTS: 'DEPLOY_MONITORING=retryable:1,SETUP_OBSERVABILITY=permanent' }, run: faultsPhase },
    ];
    for (const phase of phases) {
      const running = await startService(root, { ...env, ...phase.env }, token);
      say(`phase ${phase.name}: service ready at ${running.service.tenantUrl}`);
      try {
        await phase.run(running.service, (line) => say(`  ${line}`));
      } catch (error) {
        running.child.kill('SIGKILL');
        if (error instanceof WorkloadFailure) throw new Error(`${error.message}\n--- service output ---\n${running.output()}`);
        throw error;
      }
      await stopService(running);
      say(`phase ${phase.name}: done, service stopped`);
    }

    const captured = fs
      .readFileSync(captureFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as CapturedStatement);
    const statements = releaseStatements(captured);
    const fixture: ReleaseStatements = {
      release,
      about:
        'The SQL this release sends to its database (scripts/release-statements/capture.ts): the next release must keep every statement ' +
        'parsing and planning on its schema (test/store/release-compatibility.test.ts; docs/operations.md "Upgrade"). Regenerate when a release is cut, never by hand.',
      migrations: MIGRATIONS.map((m) => ({ version: m.version, name: m.name, sha256: createHash('sha256').update(m.sql).digest('hex') })),
      statements,
    };
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(fixture, null, 2)}\n`);
    say(`${captured.length} distinct texts sent, ${statements.length} statements kept (${statements.filter((s) => s.prepared).length} prepared by name): ${path.relative(REPO, out)}`);
  } finally {
    if (serverUrl !== undefined) await dropScratch(serverUrl, database, prefix).catch((error: unknown) => say(`could not drop the scratch database: ${String(error)}`));
    await embedded?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`capture failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
