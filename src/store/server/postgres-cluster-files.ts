import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { embeddedLayout } from './embedded-layout.js';
import type { PostgresBinaries } from './postgres-binaries.js';
import type { RunAs } from './postgres-os-user.js';
import { runPostgresProgram } from './postgres-program.js';

/** The embedded cluster's files: initdb, its settings, its owner, its password and connection string. */

export const SUPERUSER = 'postgres';

export function clusterExists(pgdata: string): boolean {
  return fs.existsSync(path.join(pgdata, 'PG_VERSION'));
}

export async function initialise(options: { dataDir: string; durable?: boolean | undefined; logger: Logger }, binaries: PostgresBinaries, runAs: RunAs | undefined, password: string): Promise<void> {
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

/**
 * A cluster restored from a backup or moved from another machine may belong to another uid, and
 * PostgreSQL refuses a data directory its user does not own: give it to the server's user.
 */
export async function ensureOwner(pgdata: string, runAs: RunAs, logger: Logger): Promise<void> {
  if ((await fsp.stat(pgdata)).uid === runAs.uid) return;
  logger.warn({ pgdata, user: runAs.name }, 'the embedded PostgreSQL data directory belongs to another user: giving it to the server\'s user');
  const walk = async (dir: string): Promise<void> => {
    await fsp.lchown(dir, runAs.uid, runAs.gid);
    for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else await fsp.lchown(full, runAs.uid, runAs.gid);
    }
  };
  await walk(pgdata);
}

export async function writeSettings(pgdata: string, runAs: RunAs | undefined, extra: Readonly<Record<string, string | number>>): Promise<void> {
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

export async function readOrCreatePassword(file: string): Promise<string> {
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

export async function previousPort(urlFile: string): Promise<number | undefined> {
  try {
    const port = Number(new URL((await fsp.readFile(urlFile, 'utf8')).trim()).port);
    return Number.isInteger(port) && port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole under a temporary name, then renamed: a reader never sees half a file. */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(temporary, content, { mode: 0o600 });
  await fsp.chmod(temporary, 0o600);
  await fsp.rename(temporary, file);
}
