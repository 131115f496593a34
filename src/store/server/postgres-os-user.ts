import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';

const run = promisify(execFile);

/** The OS account the embedded PostgreSQL runs as when the service runs as root. */
export interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

/** A system account of its own, so the server's files belong to nobody else on the machine. */
export const POSTGRES_OS_USER = 'matih-postgres';

/**
 * PostgreSQL refuses to run as root. As root, the server runs as the unprivileged system user
 * `matih-postgres`, created (without a home or a login shell) the first time; as any other user,
 * as that user (undefined here: nothing to switch to).
 */
export async function postgresRunAs(logger: Logger): Promise<RunAs | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const existing = await lookup(POSTGRES_OS_USER);
  if (existing) return existing;
  try {
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', POSTGRES_OS_USER]);
  } catch (error) {
    // Two processes creating it at once: the loser finds it made.
    const made = await lookup(POSTGRES_OS_USER);
    if (made) return made;
    throw new Error(`running as root, the embedded PostgreSQL needs the system user ${POSTGRES_OS_USER}, and useradd failed: ${(error as Error).message}`);
  }
  logger.info({ user: POSTGRES_OS_USER }, 'created the system user the embedded PostgreSQL runs as');
  const created = await lookup(POSTGRES_OS_USER);
  if (!created) throw new Error(`useradd did not create ${POSTGRES_OS_USER}`);
  return created;
}

async function lookup(name: string): Promise<RunAs | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * The server's user must be able to walk down to its data directory and its binaries. A directory
 * on the way that others may not search (root's home is 0700) gets search permission (o+x: enter,
 * not list), and the change is logged; nothing is made readable.
 */
export async function ensureSearchable(target: string, runAs: RunAs, logger: Logger): Promise<void> {
  const dirs: string[] = [];
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    dirs.push(dir);
    if (dir === path.dirname(dir)) break;
  }
  for (const dir of dirs.reverse()) {
    const stat = await fs.stat(dir).catch(() => undefined);
    if (!stat?.isDirectory() || stat.uid === runAs.uid || (stat.mode & 0o001) !== 0) continue;
    await fs.chmod(dir, (stat.mode & 0o7777) | 0o001);
    logger.warn({ directory: dir, user: runAs.name }, 'gave others search permission (o+x) on a directory so the embedded PostgreSQL can reach its files');
  }
}
