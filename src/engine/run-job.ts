import type { Logger } from 'pino';
import { failureOf, successOf } from '../domain/job-outcomes.js';
import { JobStatus, rollsBackOnFailure } from '../domain/provisioning.js';
import { type PlanStep, type StepName, SYNCHRONOUS_STEPS, TERMINAL_STEPS, planFor } from '../domain/plans.js';
import { StepStatus } from '../domain/progress.js';
import { namespaceFor } from '../domain/tenant.js';
import { DriverError, isRetryable } from '../drivers/contract.js';
import { advanceJob } from '../store/engine/advance-job.js';
import { beginRollback } from '../store/engine/begin-rollback.js';
import { failJob } from '../store/engine/fail-job.js';
import { finishJob } from '../store/engine/finish-job.js';
import type { ClaimedJob } from '../store/engine/job-types.js';
import { recordRollback } from '../store/engine/record-rollback.js';
import { scheduleRetry } from '../store/engine/schedule-retry.js';
import type { Db } from '../store/open-database.js';
import { isDatabaseUnavailable } from '../store/database-errors.js';
import { LeaseLostError } from '../store/engine/lease-lost.js';
import type { StepContext, StepHandler } from '../steps/step.js';
import type { EngineTelemetry, StepOutcome } from './engine-telemetry.js';
import { startHeartbeat } from './heartbeat.js';
import { StepAttempt, inJobSpan, inRollbackSpan } from './job-spans.js';
import { backoffSeconds, describeError } from './retry-policy.js';

export interface RunJobDeps {
  db: Db;
  steps: ReadonlyMap<StepName, StepHandler>;
  owner: string;
  leaseMs: number;
  backoffSeconds: readonly number[];
  rollbackOnFailure: boolean;
  /** Attempts per step undo before it is recorded as failed and rollback moves on. */
  rollbackAttempts: number;
  logger: Logger;
  /** Metrics of jobs, step attempts, retries, rollbacks and lease losses (engine-telemetry.ts). */
  telemetry: EngineTelemetry;
}

/**
 * Drives one claimed job from its current step to the end of its plan (or into rollback), one
 * commit per step. Returns when the job is finished, waiting for a retry, or lost.
 */
/**
 * `shutdown` aborts the step in flight (its job resumes elsewhere, at that step); `stopping` only
 * ends the run between steps, so a graceful stop lets the running step finish and record itself.
 */
export function runJob(deps: RunJobDeps, job: ClaimedJob, shutdown: AbortSignal, stopping?: AbortSignal): Promise<void> {
  return inJobSpan(job, () => runClaimedJob(deps, job, shutdown, stopping));
}

async function runClaimedJob(deps: RunJobDeps, job: ClaimedJob, shutdown: AbortSignal, stopping?: AbortSignal): Promise<void> {
  const controller = new AbortController();
  const onShutdown = () => controller.abort(new Error('shutting down'));
  shutdown.addEventListener('abort', onShutdown, { once: true });
  const heartbeat = startHeartbeat(deps.db, job.id, deps.owner, deps.leaseMs, controller);
  const log = deps.logger.child({ jobId: job.id, tenantId: job.tenantId });
  // The step attempt in progress: ended where its outcome is known, or as aborted in `finally`.
  let attempt: StepAttempt | undefined;
  let leaseLost = false;
  try {
    if (job.status === JobStatus.ROLLING_BACK) return await rollBack(deps, job, controller.signal);
    const plan = planFor(job.tier, job.kind);
    let position = plan.steps.findIndex((s) => s.name === job.currentStep);
    const outputs = outputsOf(job);
    for (;;) {
      const step = plan.steps[position];
      if (!step) throw new Error(`job ${job.id} is at unknown step ${String(job.currentStep)}`);
      // Stopping: the last step is recorded; the worker hands the lease back for another replica.
      if (stopping?.aborted) return;
      if (job.cancelRequestedBy !== null || heartbeat.cancelRequested) return await cancel(deps, job, step, controller.signal);
      const handler = deps.steps.get(step.name);
      if (!handler) throw new Error(`no handler for step ${step.name}`);
      let result;
      attempt = new StepAttempt(deps.telemetry, job, step.name);
      try {
        result = await attempt.within(() => handler.run(contextFor(job, outputs, controller.signal)));
      } catch (error) {
        attempt.end(attemptOutcome(job, error, heartbeat.cancelRequested || controller.signal.aborted), error);
        // Read here, while the step ran: a renewal racing the job's own end would find the lease gone too.
        if (heartbeat.leaseLost) leaseLost = true;
        if (heartbeat.cancelRequested) return await cancel(deps, job, step, controller.signal);
        if (controller.signal.aborted) return; // lease lost or shutting down: the next holder resumes
        // The control plane's own database went away under the step (not a tenant system): like a
        // crash, it is no fault of the step and costs no retry; the worker hands the job back.
        // A DriverError is a tenant system's (the tenant database driver classifies its own).
        if (!(error instanceof DriverError) && isDatabaseUnavailable(error)) throw error;
        return await stepFailed(deps, job, step, error, controller.signal);
      }
      if (TERMINAL_STEPS.has(step.name)) {
        // The terminal step's commit is the job's end: what the operation means for the tenant, told by the domain.
        const times = await attempt.within(() => finishJob(deps.db, {
          jobId: job.id,
          tenantId: job.tenantId,
          owner: deps.owner,
          leaseMs: deps.leaseMs,
          kind: job.kind,
          step: step.name,
          stage: step.stage,
          receipt: result.outputs,
          desired: job.desired,
          outputs,
          success: successOf(job.kind),
        }));
        attempt.end('succeeded');
        deps.telemetry.jobFinished(job.kind, 'succeeded', secondsSince(job.createdAt));
        // spec/004 phase 10: one line per finished job, with its total and per-step durations.
        log.info({ kind: job.kind, tier: job.tier, durationMs: times.durationMs, steps: times.steps }, 'job succeeded');
        return;
      }
      const next = plan.steps[position + 1];
      if (!next) throw new Error(`the ${job.kind} plan of ${job.tier} does not end with a terminal step`);
      await attempt.within(() => advanceJob(deps.db, {
        kind: job.kind,
        jobId: job.id,
        tenantId: job.tenantId,
        owner: deps.owner,
        leaseMs: deps.leaseMs,
        completed: { name: step.name, stage: step.stage, outputs: result.outputs },
        next: { name: next.name, stage: next.stage },
        placement: result.placement,
      }));
      attempt.end('succeeded');
      outputs[step.name] = result.outputs;
      setStatus(job, step.name, StepStatus.COMPLETED);
      job.currentStep = next.name;
      position++;
    }
  } catch (error) {
    if (error instanceof LeaseLostError) leaseLost = true;
    throw error;
  } finally {
    attempt?.end('aborted');
    if (leaseLost) deps.telemetry.leaseLost();
    heartbeat.stop();
    shutdown.removeEventListener('abort', onShutdown);
  }
}

async function stepFailed(deps: RunJobDeps, job: ClaimedJob, step: PlanStep, error: unknown, signal: AbortSignal): Promise<void> {
  const reason = `${step.name}: ${describeError(error)}`;
  const base = { jobId: job.id, tenantId: job.tenantId, owner: deps.owner, leaseMs: deps.leaseMs };
  if (willRetry(job, error)) {
    const wait = backoffSeconds(deps.backoffSeconds, job.retryCount);
    const at = await scheduleRetry(deps.db, { ...base, step: step.name, error: reason, backoffSeconds: wait });
    deps.telemetry.retryScheduled(step.name);
    deps.logger.warn({ jobId: job.id, step: step.name, retryAt: at, err: reason }, 'step failed; retry scheduled');
    return;
  }
  const trigger = isRetryable(error) ? 'retries.exhausted' : 'step.failed_permanently';
  deps.logger.warn({ jobId: job.id, step: step.name, err: reason, trigger }, 'step failed for good; rolling back');
  await beginRollback(deps.db, { ...base, step: step.name, reason, trigger, undo: undoes(deps, job) });
  if (undoes(deps, job)) deps.telemetry.rollbackStarted(job.kind);
  job.status = JobStatus.ROLLING_BACK;
  setStatus(job, step.name, StepStatus.FAILED);
  await rollBack(deps, job, signal);
}

async function cancel(deps: RunJobDeps, job: ClaimedJob, step: PlanStep, signal: AbortSignal): Promise<void> {
  await beginRollback(deps.db, {
    jobId: job.id,
    tenantId: job.tenantId,
    owner: deps.owner,
    leaseMs: deps.leaseMs,
    step: step.name,
    reason: `cancelled during ${step.name}`,
    trigger: 'job.cancelled',
    undo: undoes(deps, job),
  });
  if (undoes(deps, job)) deps.telemetry.rollbackStarted(job.kind);
  job.status = JobStatus.ROLLING_BACK;
  job.cancelRequestedBy ??= 'api';
  setStatus(job, step.name, StepStatus.FAILED);
  // The cancel aborted the step's signal; rollback needs a live one (lease loss still stops it).
  await rollBack(deps, job, signal.aborted ? new AbortController().signal : signal);
}

/** Undoes, newest first, every step that may have changed something; then fails the job. */
async function rollBack(deps: RunJobDeps, job: ClaimedJob, signal: AbortSignal): Promise<void> {
  const plan = planFor(job.tier, job.kind);
  const base = { jobId: job.id, tenantId: job.tenantId, owner: deps.owner, leaseMs: deps.leaseMs };
  if (undoes(deps, job)) {
    const touched = new Set<string>([StepStatus.COMPLETED, StepStatus.FAILED, StepStatus.RUNNING]);
    // The synchronous steps are the create request's, the terminal ones commit nothing before the job's end.
    const undo = plan.steps.filter((s) => !SYNCHRONOUS_STEPS.has(s.name) && !TERMINAL_STEPS.has(s.name) && touched.has(job.steps.get(s.name)?.status ?? '')).reverse();
    const ctx = contextFor(job, outputsOf(job), signal);
    for (const step of undo) {
      const handler = deps.steps.get(step.name);
      if (!handler) continue;
      let error: string | undefined;
      for (let attempt = 1; attempt <= deps.rollbackAttempts; attempt++) {
        try {
          await inRollbackSpan(job, step.name, attempt, () => handler.rollback(ctx));
          error = undefined;
          break;
        } catch (e) {
          error = describeError(e);
          if (signal.aborted) return;
        }
      }
      await recordRollback(deps.db, { ...base, step: step.name, error });
      setStatus(job, step.name, error ? StepStatus.ROLLBACK_FAILED : StepStatus.ROLLED_BACK);
    }
  }
  const times = await failJob(deps.db, { ...base, kind: job.kind, fromStatus: JobStatus.ROLLING_BACK, cancelled: job.cancelRequestedBy !== null, failure: failureOf(job.kind) });
  deps.telemetry.jobFinished(job.kind, job.cancelRequestedBy !== null ? 'cancelled' : 'failed', secondsSince(job.createdAt));
  // spec/004 phase 10: one line per finished job, with its total and per-step durations.
  deps.logger.info(
    { jobId: job.id, tenantId: job.tenantId, kind: job.kind, tier: job.tier, cancelled: job.cancelRequestedBy !== null, durationMs: times.durationMs, steps: times.steps },
    'job failed',
  );
}

/** A failure the job tries again (after its backoff): one a retry may cure, with retries left. */
function willRetry(job: ClaimedJob, error: unknown): boolean {
  return isRetryable(error) && job.retryCount < job.maxRetries;
}

/** What became of a step attempt that threw; `cutOff`: cancelled, lease lost or shutting down. */
function attemptOutcome(job: ClaimedJob, error: unknown, cutOff: boolean): StepOutcome {
  // The control plane's own database gone is no fault of the step either (see the catch in runJob).
  if (cutOff || (!(error instanceof DriverError) && isDatabaseUnavailable(error))) return 'aborted';
  return willRetry(job, error) ? 'retry' : 'failed';
}

function secondsSince(date: Date): number {
  return Math.max(0, (Date.now() - date.getTime()) / 1000);
}

function undoes(deps: RunJobDeps, job: ClaimedJob): boolean {
  return deps.rollbackOnFailure && rollsBackOnFailure(job.kind);
}

/** What the steps of `job` see: the tenant, the declaration, the outputs so far. */
export function contextFor(job: ClaimedJob, outputs: Record<string, Record<string, unknown>>, signal: AbortSignal): StepContext {
  const t = job.tenant;
  return {
    tenant: {
      id: t.id,
      slug: t.slug,
      tier: job.tier,
      region: t.region,
      cloudProvider: t.cloudProvider,
      adminEmail: t.adminEmail,
      namespace: namespaceFor(t.slug),
      infrastructure: job.desired.configuration,
      suspended: job.desired.suspended,
      notifications: t.notifications,
    },
    jobId: job.id,
    operation: { kind: job.kind, generation: job.desired.generation },
    outputs,
    signal,
    // The tenant's creation, not this run's start: the namespace annotation must not change on a re-run.
    provenance: { provisionedAt: t.createdAt.toISOString(), provisionedBy: job.provisionedBy },
  };
}

function outputsOf(job: ClaimedJob): Record<string, Record<string, unknown>> {
  const outputs: Record<string, Record<string, unknown>> = {};
  for (const [name, record] of job.steps) if (record.status === StepStatus.COMPLETED) outputs[name] = record.outputs;
  return outputs;
}

function setStatus(job: ClaimedJob, step: string, status: StepStatus): void {
  const record = job.steps.get(step);
  if (record) record.status = status;
}
