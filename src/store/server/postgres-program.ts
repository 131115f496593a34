import { spawn } from 'node:child_process';
import type { RunAs } from './postgres-os-user.js';

/**
 * Runs initdb or pg_ctl to the end, as the server's OS user when we are root, and gives back its
 * exit code and output. stdin is closed and stdout/stderr are read here: pg_ctl's server writes
 * its own log file (-l), so nothing of the server stays tied to our pipes.
 */
export function runPostgresProgram(program: string, args: readonly string[], runAs: RunAs | undefined): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      // The environment is inherited; initdb is given its locale (C) explicitly, so the server's
      // messages do not depend on the operator's.
      stdio: ['ignore', 'pipe', 'pipe'],
      // The server's user may not enter the service's working directory.
      cwd: '/',
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    // On exit, not on close: a server started without -l (pg_ctl restart) inherits our pipes and
    // would hold them open for its whole life. Output still in the pipe gets a moment to arrive.
    child.on('exit', (code, signal) => {
      const done = () => resolve({ code: code ?? (signal ? 128 : 1), output });
      const timer = setTimeout(done, 100);
      child.once('close', () => {
        clearTimeout(timer);
        done();
      });
    });
  });
}
