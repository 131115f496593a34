import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './service-process.js';

/**
 * A real PowerDNS Authoritative server (Debian's pdns-server with pdns-backend-sqlite3) on
 * loopback, for the PowerDNS driver's tests: its own temporary directory, a sqlite3 database made
 * from the package's schema, a generated pdns.conf, the HTTP API on a free port with a random key.
 * Runs as whoever runs the tests (root in CI, anyone on a laptop): no setuid, no chroot, no
 * privileged port, nothing outside the temporary directory.
 *
 * `PDNS_MISSING` says why the tests cannot run here (undefined when they can); suites use
 * `skipIf(!HAS_PDNS)` with that reason in their name. `.ci/run` installs the packages.
 */

const exec = promisify(execFile);

const SEARCH_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];
const SCHEMA_PATHS = [
  '/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql',
  // Where the package points in its docs; image builds that drop /usr/share/doc lose this one.
  '/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql',
];
const INSTALL_HINT = 'apt-get install pdns-server pdns-backend-sqlite3 sqlite3';
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const START_ATTEMPTS = 3;

interface Toolchain {
  pdnsServer: string;
  sqlite3: string;
  schema: string;
}

async function executable(name: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SEARCH_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (await fs.access(candidate, fsConstants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

async function readable(candidates: readonly string[]): Promise<string | undefined> {
  for (const candidate of candidates) {
    if (await fs.access(candidate, fsConstants.R_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

/** Everything a server needs, or the reason it cannot start here. */
async function findToolchain(): Promise<Toolchain | string> {
  const pdnsServer = await executable('pdns_server');
  if (pdnsServer === undefined) return `pdns_server is not installed (${INSTALL_HINT})`;
  const sqlite3 = await executable('sqlite3');
  if (sqlite3 === undefined) return `the sqlite3 command is not installed (${INSTALL_HINT})`;
  const schema = await readable(SCHEMA_PATHS);
  if (schema === undefined) return `the PowerDNS sqlite3 schema is not installed (${INSTALL_HINT})`;
  // The backend is a module in pdns_server's module-dir, which only pdns_server knows.
  let moduleDir: string | undefined;
  try {
    const { stdout } = await exec(pdnsServer, ['--config=default'], { timeout: 10_000 });
    moduleDir = /^#\s*module-dir=(.*)$/m.exec(stdout)?.[1]?.trim();
  } catch (error) {
    return `pdns_server does not run: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (moduleDir === undefined || (await readable([path.join(moduleDir, 'libgsqlite3backend.so')])) === undefined) {
    return `the PowerDNS sqlite3 backend is not installed (${INSTALL_HINT})`;
  }
  return { pdnsServer, sqlite3, schema };
}

const toolchain = await findToolchain();

/** Why PowerDNS tests cannot run on this machine; undefined when they can. */
export const PDNS_MISSING: string | undefined = typeof toolchain === 'string' ? toolchain : undefined;
export const HAS_PDNS = PDNS_MISSING === undefined;

export interface PdnsServer {
  /** The HTTP API's base, http://127.0.0.1:<port>. */
  apiUrl: string;
  apiKey: string;
  /** UDP and TCP, the same number, on 127.0.0.1. */
  dnsPort: number;
  /** What the server printed so far, for failure messages. */
  output(): string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Last resort when the test process goes away without afterAll: no server keeps its ports. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/**
 * Starts a server and waits until its API and its DNS port answer. Free ports may be taken
 * between choosing and binding them (parallel test files); a start that fails to bind is tried
 * again on others.
 */
export async function startPdnsServer(): Promise<PdnsServer> {
  if (typeof toolchain === 'string') throw new Error(`PowerDNS is not available: ${toolchain}`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'matih-pdns-'));
  try {
    const database = path.join(dir, 'pdns.sqlite3');
    await exec(toolchain.sqlite3, [database, `.read ${toolchain.schema}`], { timeout: 10_000 });
    for (let attempt = 1; ; attempt++) {
      const server = await launch(toolchain, dir, database);
      const failure = await server.ready.then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error : new Error('pdns_server did not start')),
      );
      if (failure === undefined) return server.handle;
      await server.kill();
      const bindFailed = /bind|address already in use/i.test(server.handle.output());
      if (!bindFailed || attempt >= START_ATTEMPTS) throw failure;
    }
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true });
    throw error;
  }
}

interface Launched {
  handle: PdnsServer;
  ready: Promise<void>;
  kill(): Promise<void>;
}

async function launch(tools: Toolchain, dir: string, database: string): Promise<Launched> {
  const dnsPort = await freePort();
  let webPort = await freePort();
  while (webPort === dnsPort) webPort = await freePort();
  const apiKey = randomBytes(18).toString('base64url');
  const config = [
    'launch=gsqlite3',
    `gsqlite3-database=${database}`,
    'local-address=127.0.0.1',
    `local-port=${dnsPort}`,
    'api=yes',
    `api-key=${apiKey}`,
    'webserver=yes',
    'webserver-address=127.0.0.1',
    `webserver-port=${webPort}`,
    'webserver-allow-from=127.0.0.1',
    'webserver-loglevel=none',
    `socket-dir=${dir}`,
    'guardian=no',
    'daemon=no',
    'disable-syslog=yes',
    'log-timestamp=no',
    // Run as the current user: no dropping of privileges to a "pdns" user that may not exist.
    'setuid=',
    'setgid=',
    // No query to secpoll.powerdns.com from a test.
    'security-poll-suffix=',
    // Two cores run two test files at once: one thread of each kind is plenty for a test.
    'receiver-threads=1',
    'distributor-threads=1',
    '',
  ].join('\n');
  await fs.writeFile(path.join(dir, 'pdns.conf'), config, { mode: 0o600 });

  const child = spawn(tools.pdnsServer, [`--config-dir=${dir}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  installExitHook();
  live.add(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      output += `\nspawn failed: ${String(error)}`;
      live.delete(child);
      resolve();
    });
    child.once('close', () => {
      live.delete(child);
      resolve();
    });
  });
  let running = true;
  void exited.then(() => (running = false));

  const kill = async () => {
    if (!running) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_TIMEOUT_MS)));
    if ((await Promise.race([exited, late])) === 'late') {
      child.kill('SIGKILL');
      await exited;
    }
    clearTimeout(timer);
  };

  const apiUrl = `http://127.0.0.1:${webPort}`;
  let stopped = false;
  const handle: PdnsServer = {
    apiUrl,
    apiKey,
    dnsPort,
    output: () => output,
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };

  const ready = (async () => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (!running) throw new Error(`pdns_server exited before it was ready:\n${output}`);
      // The API comes up after the DNS listeners are bound, so an answering API means a listening server.
      if (await apiAnswers(apiUrl, apiKey)) return;
      if (Date.now() > deadline) throw new Error(`pdns_server did not answer on ${apiUrl} within ${READY_TIMEOUT_MS} ms:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return { handle, ready, kill };
}

async function apiAnswers(apiUrl: string, apiKey: string): Promise<boolean> {
  try {
    const response = await fetch(`${apiUrl}/api/v1/servers/localhost`, { headers: { 'x-api-key': apiKey }, signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}
