import type { VariableReader } from './variable-reader.js';

/**
 * The provisioning engine: its workers, how it retries and rolls back, how long steps wait for
 * what they deployed, and the simulated cloud's pace and injected faults (DESIGN.md section 7).
 */
export const ENGINE_VARIABLES = {
  MATIH_SIM_DELAY_MS: '0',
  MATIH_SIM_FAULTS: '',
  MATIH_RETRY_BACKOFF: '60,120,240',
  MATIH_MAX_RETRIES: '3',
  MATIH_WORKER_CONCURRENCY: '8',
  MATIH_LEASE_S: '30',
  MATIH_POLL_MS: '500',
  MATIH_ROLLBACK_ON_FAILURE: 'true',
  MATIH_READY_TIMEOUT_S: '600',
  MATIH_VERIFY_TIMEOUT_S: '30',
} as const;
type EngineVariable = keyof typeof ENGINE_VARIABLES;

export interface SimFault {
  step: string;
  kind: 'retryable' | 'permanent';
  /** For retryable faults: fail this many times, then succeed. */
  times: number;
}

export interface EngineSettings {
  sim: { delayMs: number; faults: readonly SimFault[] };
  retry: { backoffSeconds: readonly number[]; maxRetries: number };
  engine: {
    /** Jobs one process runs at once. */
    concurrency: number;
    /** How long a claimed job stays claimed without a heartbeat. */
    leaseMs: number;
    /** How often an idle worker looks for due jobs. */
    pollMs: number;
    /** Undo completed steps, newest first, when a job fails for good. */
    rollbackOnFailure: boolean;
  };
  /** How long a step waits for its workloads to become ready before a retryable failure. */
  readyTimeoutMs: number;
  /** How long VERIFY waits for each service's /health (spec/002 phase 7: 30 s). */
  verifyTimeoutMs: number;
}

export function parseEngineSettings(read: VariableReader<EngineVariable>, problems: string[]): EngineSettings {
  const backoffSeconds = parseBackoff(read.text('MATIH_RETRY_BACKOFF'), problems);
  const faults = parseSimFaults(read.text('MATIH_SIM_FAULTS'), problems);
  return {
    sim: { delayMs: read.int('MATIH_SIM_DELAY_MS', 0, 3_600_000), faults },
    retry: { backoffSeconds, maxRetries: read.int('MATIH_MAX_RETRIES', 0, 100) },
    engine: {
      concurrency: read.int('MATIH_WORKER_CONCURRENCY', 0, 256),
      leaseMs: read.int('MATIH_LEASE_S', 2, 3600) * 1000,
      pollMs: read.int('MATIH_POLL_MS', 10, 60_000),
      rollbackOnFailure: read.bool('MATIH_ROLLBACK_ON_FAILURE'),
    },
    readyTimeoutMs: read.int('MATIH_READY_TIMEOUT_S', 1, 86_400) * 1000,
    verifyTimeoutMs: read.int('MATIH_VERIFY_TIMEOUT_S', 1, 3600) * 1000,
  };
}

function parseBackoff(raw: string, problems: string[]): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.length === 0 || values.some((v, i) => !/^\d+(\.\d+)?$/.test(parts[i] ?? '') || v < 0 || v > 86_400)) {
    problems.push(`MATIH_RETRY_BACKOFF="${raw}" must be comma-separated seconds, each from 0 to 86400`);
    return [60, 120, 240];
  }
  return values;
}

/** `STEP=retryable:N` or `STEP=permanent`, comma-separated (DESIGN.md section 7). */
function parseSimFaults(raw: string, problems: string[]): SimFault[] {
  const faults: SimFault[] = [];
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^([A-Z][A-Z0-9_]*)=(?:(permanent)|retryable:(\d+))$/.exec(item);
    if (!match?.[1]) {
      problems.push(`MATIH_SIM_FAULTS: "${item}" must be STEP=retryable:N or STEP=permanent`);
      continue;
    }
    faults.push(
      match[2] ? { step: match[1], kind: 'permanent', times: 0 } : { step: match[1], kind: 'retryable', times: Number(match[3]) },
    );
  }
  return faults;
}
