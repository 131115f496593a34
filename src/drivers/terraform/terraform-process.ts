import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DriverError } from '../contract.js';

export interface ProcessRun {
  binary: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Each stdout line as it arrives (the -json stream); without it stdout is collected whole. */
  onLine?: (line: string) => void;
  /** How long Terraform gets after SIGINT to stop cleanly (release its lock, write its state) before SIGKILL. */
  interruptGraceMs: number;
}

export interface ProcessResult {
  code: number;
  /** Collected only when no `onLine` was given. */
  stdout: string;
  /** The last few KiB: enough for an error message, bounded whatever the command prints. */
  stderr: string;
}

const STDERR_KEEP = 8192;
const STDOUT_LIMIT = 16 * 1024 * 1024;

/**
 * Runs one Terraform command. When `signal` aborts (the job lost its lease, the service stops),
 * Terraform is sent SIGINT, which it treats as "stop at a safe point, save state, unlock"; only
 * if it has not exited after the grace period is it killed. Resolves with the exit code; rejects
 * only when the command could not run or was interrupted.
 */
export function runProcess(run: ProcessRun): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    if (run.signal.aborted) {
      reject(interrupted(run, run.signal.reason));
      return;
    }
    const child = spawn(run.binary, run.args, { cwd: run.cwd, env: run.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.kill('SIGKILL'), run.interruptGraceMs);
      killTimer.unref();
    };
    run.signal.addEventListener('abort', onAbort, { once: true });

    if (run.onLine) {
      const onLine = run.onLine;
      createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => onLine(line));
    } else {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        if (stdout.length < STDOUT_LIMIT) stdout += chunk;
      });
    }
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });

    child.on('error', (error: NodeJS.ErrnoException) => {
      run.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      reject(
        error.code === 'ENOENT'
          ? new DriverError(`the Terraform binary "${run.binary}" was not found (set MATIH_TERRAFORM_BINARY)`, false, { cause: error })
          : new DriverError(`could not run ${run.binary}: ${error.message}`, true, { cause: error }),
      );
    });
    // 'close', not 'exit': every line of stdout has been read by then.
    child.on('close', (code, signal) => {
      run.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (run.signal.aborted) reject(interrupted(run, run.signal.reason));
      else resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

function interrupted(run: ProcessRun, reason: unknown): DriverError {
  const why = reason instanceof Error ? reason.message : 'aborted';
  return new DriverError(`terraform ${run.args[0] ?? ''} interrupted: ${why}`, true);
}
