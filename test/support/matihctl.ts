import { type ChildProcess, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './service-process.js';

/**
 * The built matihctl binary as a child process: what a user or a script gets, exit status,
 * stdout and stderr kept apart. `buildCli` compiles cli/ into dist/cli once per suite.
 */

export const MATIHCTL = path.join(REPO_ROOT, 'bin', 'matihctl.js');

export async function buildCli(): Promise<void> {
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.cli.json'], { cwd: REPO_ROOT });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** MATIHCTL_CONFIG. */
  config: string;
  /** Added to (or, undefined, removed from) the environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Written to stdin, which is then closed (stdin is never a terminal here). */
  input?: string;
}

function cliEnv(options: CliOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('MATIH') || key.startsWith('VITEST') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  env.MATIHCTL_CONFIG = options.config;
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export interface RunningCli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly done: Promise<CliResult>;
}

export function startMatihctl(args: readonly string[], options: CliOptions): RunningCli {
  const child = spawn(process.execPath, [MATIHCTL, ...args], { cwd: REPO_ROOT, env: cliEnv(options), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.input ?? '');
  const done = new Promise<CliResult>((resolve) => {
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

export function matihctl(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return startMatihctl(args, options).done;
}

/** stdout of a --output json run as the one document it must be. */
export function jsonOf<T = Record<string, unknown>>(result: CliResult): T {
  return JSON.parse(result.stdout) as T;
}
