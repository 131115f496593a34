import fsp from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { freeLoopbackPort, portIsFree } from './free-port.js';
import type { PostgresBinaries } from './postgres-binaries.js';
import type { RunAs } from './postgres-os-user.js';
import { SUPERUSER } from './postgres-cluster-files.js';
import { runPostgresProgram } from './postgres-program.js';
import { type PostmasterPid, runningPostmaster } from './postmaster-pid.js';

/** Starting, adopting and stopping the embedded server with pg_ctl, and reaching it with a client. */

const START_TIMEOUT_S = 60;
const ADOPT_TIMEOUT_MS = 30_000;

export function serverUrl(password: string, port: number, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** A server left running by a killed process: ours if it accepts connections within 30 s. */
export async function adopt(running: PostmasterPid, password: string, logger: Logger): Promise<boolean> {
  logger.warn({ postmasterPid: running.pid, port: running.port }, 'embedded PostgreSQL of a previous run is still running: adopting it');
  const deadline = Date.now() + ADOPT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await answers(serverUrl(password, running.port, 'postgres'))) return true;
    await sleep(200);
  }
  logger.warn({ postmasterPid: running.pid }, 'the running embedded PostgreSQL does not answer: stopping it to start afresh');
  return false;
}

export async function answers(url: string): Promise<boolean> {
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

export async function launchOnFreePort(binaries: PostgresBinaries, runAs: RunAs | undefined, pgdata: string, preferred: number | undefined, logger: Logger): Promise<number> {
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

export async function launch(binaries: PostgresBinaries, runAs: RunAs | undefined, pgdata: string, port: number): Promise<void> {
  const logFile = path.join(pgdata, 'log', 'postgres.log');
  const result = await runPostgresProgram(
    binaries.pgCtl,
    ['start', '-D', pgdata, '-l', logFile, '-w', '-t', String(START_TIMEOUT_S), '-s', '-o', `-p ${port}`],
    runAs,
  );
  if (result.code !== 0) throw new Error(`pg_ctl start failed (exit ${result.code}): ${result.output.trim()}\n${await tail(logFile)}`);
}

/** Fast shutdown, then immediate if fast does not finish in time; nothing left running either way. */
export async function stopServer(binaries: PostgresBinaries, runAs: RunAs | undefined, pgdata: string, logger: Logger): Promise<void> {
  if (!runningPostmaster(pgdata)) return;
  const fast = await runPostgresProgram(binaries.pgCtl, ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '30', '-s'], runAs);
  if (fast.code === 0 || !runningPostmaster(pgdata)) return;
  logger.warn({ output: fast.output.trim() }, 'embedded PostgreSQL did not stop in time: immediate shutdown');
  await runPostgresProgram(binaries.pgCtl, ['stop', '-D', pgdata, '-m', 'immediate', '-w', '-t', '30', '-s'], runAs);
}

export async function ensureDatabase(maintenanceUrl: string, database: string): Promise<void> {
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

export async function tail(file: string): Promise<string> {
  try {
    return (await fsp.readFile(file, 'utf8')).split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
