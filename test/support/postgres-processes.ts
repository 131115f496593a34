import fs from 'node:fs';
import path from 'node:path';

/**
 * The PostgreSQL servers running on a data directory, found the way an operator would with ps:
 * a postmaster keeps its command line (`postgres -D <pgdata> ...`); its backends rename theirs.
 */
export function postmastersOn(pgdata: string): number[] {
  const wanted = path.resolve(pgdata);
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    const at = argv.indexOf('-D');
    if (path.basename(argv[0] ?? '') === 'postgres' && at >= 0 && path.resolve(argv[at + 1] ?? '') === wanted) pids.push(Number(entry));
  }
  return pids;
}

/** Every process still attached to a data directory's server: the postmaster and its backends. */
export function postgresProcessesOf(postmaster: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === postmaster) children.push(Number(entry));
    } catch {
      continue;
    }
  }
  return children;
}

/**
 * After a test killed a service with SIGKILL its embedded server is still running (as it would
 * be for an operator): stop it (SIGQUIT, PostgreSQL's immediate shutdown) so no test leaves one.
 */
export async function stopLeftoverPostgres(dataDir: string): Promise<void> {
  const pgdata = path.join(dataDir, 'postgres');
  const pids = postmastersOn(pgdata);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 15_000;
  while (postmastersOn(pgdata).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}
