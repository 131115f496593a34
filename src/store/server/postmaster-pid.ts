import fs from 'node:fs';
import path from 'node:path';

/**
 * What PostgreSQL's lock file says of the server running on a data directory
 * (src/include/utils/pidfile.h: pid, data directory, start time, port, socket directory, listen
 * address, shared memory key, status).
 */
export interface PostmasterPid {
  pid: number;
  port: number;
  /** `starting`, `stopping`, `ready` or `standby`; undefined while the server is writing the file. */
  status: string | undefined;
}

export function readPostmasterPid(pgdata: string): PostmasterPid | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, port: Number.isInteger(port) ? port : 0, status: lines[7]?.trim() || undefined };
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (the server's own, when we are not root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The server whose lock file is in `pgdata`, if its process still runs. */
export function runningPostmaster(pgdata: string): PostmasterPid | undefined {
  const found = readPostmasterPid(pgdata);
  return found && isProcessAlive(found.pid) ? found : undefined;
}
