import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from '../../src/store/server/free-port.js';
import { tenantNamePrefixFor } from './databases.js';
import { stopLeftoverPostgres } from './postgres-processes.js';

/**
 * The real service as a child process (`node --import tsx src/main.ts`), for suites that test
 * what only a process shows: what it prints, its exit codes, signals, restarts, its lock on the
 * data directory. A `ServiceProcesses` group owns every child it starts; call `killAll()` in
 * afterEach (and `cleanup()` in afterAll) so no child outlives a failed test.
 */

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Generous: the first start of the embedded server runs initdb, and CI machines are slow. */
const READY_TIMEOUT_MS = 45_000;
const STOP_TIMEOUT_MS = 20_000;

export interface ExitResult {
  /** null when the process ended on a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  /** MATIH_DATA_DIR; a fresh temporary directory when omitted. */
  dataDir?: string;
  /** Set (or, with undefined, remove) variables on top of the defaults: ports, data dir, log level. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly dataDir: string;
  /** http://127.0.0.1:<MATIH_TENANT_PORT> (meaningless when the port variable was overridden). */
  readonly tenantUrl: string;
  readonly infraUrl: string;
  /** Resolves once the process has exited and its output is drained. */
  readonly exited: Promise<ExitResult>;
  stdout(): string;
  stderr(): string;
  running(): boolean;
  /** Until GET /ready answers 200 on both ports; rejects if the process exits first. */
  waitUntilReady(timeoutMs?: number): Promise<void>;
  /** Sends `signal` and waits for the exit; SIGKILLs and rejects if it does not come in time. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ExitResult>;
  /** kill -9, and wait for the exit. */
  kill(): Promise<ExitResult>;
}

/** A port nothing listens on right now: bind port 0, read what the kernel chose, close. */
export const freePort = freeLoopbackPort;

/** The environment of the test process, minus anything that would configure the child by accident. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (key.startsWith('MATIH_') || CONFIGURING.has(key) || key.startsWith('VITEST')) continue;
    env[key] = value;
  }
  return env;
}

const CONFIGURING = new Set(['DATABASE_URL', 'TENANT_DATABASE_URL', 'KUBECONFIG', 'KUBERNETES_SERVICE_HOST', 'NODE_OPTIONS']);

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Last resort when the test process itself goes away: no orphan keeps a port or a lock. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function answersReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

function describeExit(what: string, result: ExitResult): string {
  const how = result.signal ? `signal ${result.signal}` : `code ${String(result.code)}`;
  return `${what} (${how})\n--- stderr ---\n${result.stderr}\n--- stdout ---\n${result.stdout}`;
}

function spawnService(dataDir: string, tenantPort: number, infraPort: number, extra: SpawnOptions['env']): ServiceProcess {
  const env = baseEnv();
  Object.assign(env, {
    MATIH_TENANT_PORT: String(tenantPort),
    MATIH_INFRA_PORT: String(infraPort),
    MATIH_HOST: '127.0.0.1',
    MATIH_DATA_DIR: dataDir,
    MATIH_LOG_LEVEL: 'info',
    // The embedded DNS server's default 5353 would be fought over by parallel test files.
    MATIH_DNS_PORT: '0',
  });
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  // Tenant roles are server-wide: on a test database, the prefix that dropServerDatabase cleans up.
  if (env.DATABASE_URL && env.MATIH_TENANT_DB_PREFIX === undefined) env.MATIH_TENANT_DB_PREFIX = tenantNamePrefixFor(env.DATABASE_URL);

  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  installExitHook();
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const exited = new Promise<ExitResult>((resolve) => {
    child.once('error', (error) => {
      live.delete(child);
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}\nspawn failed: ${String(error)}` });
    });
    child.once('close', (code, signal) => {
      live.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  let done = false;
  void exited.then(() => (done = true));

  const tenantUrl = `http://127.0.0.1:${tenantPort}`;
  const infraUrl = `http://127.0.0.1:${infraPort}`;

  const service: ServiceProcess = {
    child,
    pid: child.pid ?? -1,
    dataDir,
    tenantUrl,
    infraUrl,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    running: () => !done,

    async waitUntilReady(timeoutMs = READY_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (done) throw new Error(describeExit('the service exited before it was ready', await exited));
        if ((await answersReady(tenantUrl)) && (await answersReady(infraUrl))) return;
        await delay(100);
      }
      throw new Error(`the service was not ready after ${timeoutMs} ms\n--- stderr ---\n${stderr}\n--- stdout ---\n${stdout}`);
    },

    async stop(signal = 'SIGTERM', timeoutMs = STOP_TIMEOUT_MS) {
      if (done) return exited;
      child.kill(signal);
      const timedOut = Symbol('timeout');
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        exited,
        new Promise<typeof timedOut>((resolve) => (timer = setTimeout(() => resolve(timedOut), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (outcome !== timedOut) return outcome;
      child.kill('SIGKILL');
      throw new Error(describeExit(`the service did not exit within ${timeoutMs} ms of ${signal}; killed`, await exited));
    },

    async kill() {
      if (done) return exited;
      child.kill('SIGKILL');
      return exited;
    },
  };
  return service;
}

/** Every child and temporary directory a suite makes, so hooks can clean up after failures. */
export class ServiceProcesses {
  private readonly children = new Set<ServiceProcess>();
  private readonly dirs: string[] = [];

  /** A fresh, empty directory, removed by cleanup(). */
  async tempDir(prefix = 'matih-proc-'): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** Starts a process on fresh free ports; does not wait for it. */
  async spawn(options: SpawnOptions = {}): Promise<ServiceProcess> {
    const dataDir = options.dataDir ?? (await this.tempDir());
    const [tenantPort, infraPort] = await twoFreePorts();
    const service = spawnService(dataDir, tenantPort, infraPort, options.env);
    this.children.add(service);
    return service;
  }

  /**
   * Starts a process and waits until it is ready. Free ports can be taken by someone else
   * between choosing and binding them; a start that fails on EADDRINUSE is tried again on
   * other ports, any other failure rejects with the process's output.
   */
  async start(options: SpawnOptions = {}): Promise<ServiceProcess> {
    const dataDir = options.dataDir ?? (await this.tempDir());
    for (let attempt = 1; ; attempt++) {
      const service = await this.spawn({ ...options, dataDir });
      try {
        await service.waitUntilReady();
        return service;
      } catch (error) {
        if (!service.running() && service.stderr().includes('EADDRINUSE') && attempt < 3) continue;
        await service.kill();
        throw error;
      }
    }
  }

  /** Runs a process that is expected to exit by itself (bad config, locked data dir). */
  async run(options: SpawnOptions = {}, timeoutMs = READY_TIMEOUT_MS): Promise<ExitResult> {
    const service = await this.spawn(options);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([service.exited, timedOut]);
    clearTimeout(timer);
    if (outcome !== 'timeout') return outcome;
    throw new Error(describeExit(`the process was expected to exit but still ran after ${timeoutMs} ms; killed`, await service.kill()));
  }

  /** SIGKILLs every child still running and waits for them. */
  async killAll(): Promise<void> {
    const running = [...this.children];
    this.children.clear();
    await Promise.all(running.map((s) => s.kill()));
  }

  /** killAll(), stops the embedded servers a killed service left running, then removes the temporary directories. */
  async cleanup(): Promise<void> {
    await this.killAll();
    const dirs = this.dirs.splice(0);
    await Promise.all(dirs.map((dir) => stopLeftoverPostgres(dir)));
    await Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
  }
}

async function twoFreePorts(): Promise<[number, number]> {
  const first = await freePort();
  let second = await freePort();
  while (second === first) second = await freePort();
  return [first, second];
}

export interface HttpResult<T> {
  status: number;
  body: T;
}

/** One JSON request; `token` becomes a bearer Authorization header. */
export async function httpJson<T = unknown>(
  url: string,
  options: { method?: string; token?: string; body?: unknown } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}
