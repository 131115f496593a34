import type { Difference } from '../domain/drift.js';
import type { StepName } from '../domain/plans.js';
import type { JobKind } from '../domain/provisioning.js';

/** How a job ended: its terminal JobStatus, lowercased (the `outcome` label). */
export type JobOutcome = 'succeeded' | 'failed' | 'cancelled';

/**
 * How one attempt of a step ended: `retry`, it failed and the job will try it again; `failed`,
 * for good (the job rolls back or stops); `aborted`, it was cut off (lease lost, shutdown, cancel,
 * the control plane's own database gone) and runs again wherever the job resumes.
 */
export type StepOutcome = 'succeeded' | 'retry' | 'failed' | 'aborted';

/**
 * What the engine tells about its own work, for metrics. The engine only calls it; the
 * composition root hands in an implementation (api/engine-metrics.ts, over prom-client), or the
 * no-op below. Calls are synchronous and must not throw.
 */
export interface EngineTelemetry {
  /** A job reached a terminal status, `seconds` after it was queued. */
  jobFinished(kind: JobKind, outcome: JobOutcome, seconds: number): void;
  /** One attempt of a step ended (its commit included). */
  stepAttempted(step: StepName, outcome: StepOutcome, seconds: number): void;
  /** A failed step was scheduled to run again after its backoff. */
  retryScheduled(step: StepName): void;
  /** A job began undoing its completed steps (a failure for good or a cancel). */
  rollbackStarted(kind: JobKind): void;
  /** This process lost a job's lease (another worker took it, or a write found it gone). */
  leaseLost(): void;
  /** A full reconcile sweep finished here. */
  sweepFinished(seconds: number): void;
  /** The reconciler found a tenant differing from its declaration in this way. */
  driftFound(kind: Difference['kind']): void;
  /** A driver call threw (engine/instrument-drivers.ts). */
  driverFailed(driver: string, retryable: boolean): void;
}

export const NO_ENGINE_TELEMETRY: EngineTelemetry = {
  jobFinished: () => undefined,
  stepAttempted: () => undefined,
  retryScheduled: () => undefined,
  rollbackStarted: () => undefined,
  leaseLost: () => undefined,
  sweepFinished: () => undefined,
  driftFound: () => undefined,
  driverFailed: () => undefined,
};
