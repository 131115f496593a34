import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Difference } from '../domain/drift.js';
import { STEP_TIMEOUT_SECONDS, type StepName } from '../domain/plans.js';
import { JOB_KINDS, type JobKind, rollsBackOnFailure } from '../domain/provisioning.js';
import type { EngineTelemetry, JobOutcome, StepOutcome } from '../engine/engine-telemetry.js';

/**
 * What the engine of THIS process did, as Prometheus counters and histograms (engine-telemetry.ts
 * is what the engine calls): sum them over replicas. What is the whole system's (jobs by status,
 * stuck jobs, the last sweep, the outbox) is read from the database instead (metrics.ts), so that
 * every replica reports the same. The names are what the alert rules and the dashboard of
 * deploy/ use: change one only with them.
 */
export class EngineMetrics implements EngineTelemetry {
  private readonly jobDuration: Histogram<'kind' | 'outcome'>;
  private readonly stepDuration: Histogram<'step' | 'outcome'>;
  private readonly retries: Counter<'step'>;
  private readonly rollbacks: Counter<'kind'>;
  private readonly leaseLosses: Counter;
  private readonly sweepDuration: Histogram;
  private readonly drift: Counter<'kind'>;
  private readonly driverErrors: Counter<'driver' | 'retryable'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.jobDuration = new Histogram({
      name: 'matih_job_duration_seconds',
      help: 'Jobs from being queued to a terminal status, by kind and outcome (succeeded, failed, cancelled)',
      labelNames: ['kind', 'outcome'],
      // Seconds on the simulated cloud; minutes on a real cluster; up to about an hour with Terraform.
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
      registers,
    });
    this.stepDuration = new Histogram({
      name: 'matih_step_duration_seconds',
      help: 'Step attempts, their run and commit, by step and outcome (succeeded, retry, failed, aborted)',
      labelNames: ['step', 'outcome'],
      buckets: [0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600],
      registers,
    });
    this.retries = new Counter({ name: 'matih_step_retries_total', help: 'Failed steps scheduled to run again after their backoff, by step', labelNames: ['step'], registers });
    this.rollbacks = new Counter({ name: 'matih_rollbacks_total', help: 'Jobs that began undoing their completed steps, by kind', labelNames: ['kind'], registers });
    this.leaseLosses = new Counter({ name: 'matih_lease_losses_total', help: 'Jobs whose lease this process lost while working on them', registers });
    this.sweepDuration = new Histogram({
      name: 'matih_reconcile_sweep_duration_seconds',
      help: 'Full reconcile sweeps this process ran, start to end',
      buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.drift = new Counter({
      name: 'matih_reconcile_drift_found_total',
      help: 'Differences between tenants and their declarations the reconciler found, by kind (object, database, dns, certificate, generation, status)',
      labelNames: ['kind'],
      registers,
    });
    this.driverErrors = new Counter({
      name: 'matih_driver_errors_total',
      help: 'Driver calls that failed, by driver and whether a retry may help',
      labelNames: ['driver', 'retryable'],
      registers,
    });
    const timeouts = new Gauge({
      name: 'matih_step_timeout_seconds',
      help: 'How long one attempt of each step is expected to take at most: past it the job counts as stuck (not enforced)',
      labelNames: ['step'],
      registers,
    });
    for (const [step, seconds] of Object.entries(STEP_TIMEOUT_SECONDS)) timeouts.set({ step }, seconds);
    // Present from the start, so that the first rollback is an increase rate() and increase() can see.
    for (const kind of JOB_KINDS.filter(rollsBackOnFailure)) this.rollbacks.inc({ kind }, 0);
  }

  jobFinished(kind: JobKind, outcome: JobOutcome, seconds: number): void {
    this.jobDuration.observe({ kind, outcome }, seconds);
  }

  stepAttempted(step: StepName, outcome: StepOutcome, seconds: number): void {
    this.stepDuration.observe({ step, outcome }, seconds);
  }

  retryScheduled(step: StepName): void {
    this.retries.inc({ step });
  }

  rollbackStarted(kind: JobKind): void {
    this.rollbacks.inc({ kind });
  }

  leaseLost(): void {
    this.leaseLosses.inc();
  }

  sweepFinished(seconds: number): void {
    this.sweepDuration.observe(seconds);
  }

  driftFound(kind: Difference['kind']): void {
    this.drift.inc({ kind });
  }

  driverFailed(driver: string, retryable: boolean): void {
    this.driverErrors.inc({ driver, retryable: String(retryable) });
  }
}
