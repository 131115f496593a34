import { performance } from 'node:perf_hooks';
import type { StepName } from '../domain/plans.js';
import { StepStatus } from '../domain/progress.js';
import type { ClaimedJob } from '../store/engine/job-types.js';
import { type Attributes, type Span, contextOfTraceparent, inSpan, recordFailure, startSpan, withSpan } from '../shared/tracing.js';
import type { EngineTelemetry, StepOutcome } from './engine-telemetry.js';

/**
 * The spans of a job's run (shared/tracing.ts; nothing is recorded unless OTEL_* turned tracing
 * on) and the step metrics that go with them: a span per run of a claimed job, continuing the
 * trace of the request or sweep that queued it (the job's stored traceparent), and under it a
 * span per step attempt. Driver calls made by the step are that attempt's children
 * (instrument-drivers.ts), and so are the outbox events its commit writes.
 */

function jobAttributes(job: ClaimedJob): Attributes {
  return { 'job.id': job.id, 'job.kind': job.kind, 'tenant.id': job.tenantId, 'tenant.tier': job.tier };
}

/** One run of a claimed job, from its claim to its end, a retry wait, a loss or a stop. */
export function inJobSpan<T>(job: ClaimedJob, fn: () => Promise<T>): Promise<T> {
  return inSpan(`job ${job.kind}`, { parent: contextOfTraceparent(job.traceParent), attributes: { ...jobAttributes(job), 'job.status': job.status } }, fn);
}

/** One undo attempt of a step during rollback. */
export function inRollbackSpan<T>(job: ClaimedJob, step: StepName, attempt: number, fn: () => Promise<T>): Promise<T> {
  return inSpan(`rollback ${step}`, { attributes: { ...jobAttributes(job), 'step.name': step, attempt } }, fn);
}

/**
 * One attempt of a step: the handler's run and the commit that records it. Its span is active in
 * `within`; `end` (once; later calls do nothing) closes the span and observes the attempt's
 * duration and outcome.
 */
export class StepAttempt {
  private readonly span: Span;
  private readonly started = performance.now();
  private ended = false;

  constructor(
    private readonly telemetry: EngineTelemetry,
    job: ClaimedJob,
    readonly step: StepName,
  ) {
    // The claim marks the step it starts at RUNNING with its attempts counted; a step reached
    // after another in the same run is counted in the database only (advance-job.ts).
    const record = job.steps.get(step);
    const attempt = record ? (record.status === StepStatus.RUNNING ? record.attempts : record.attempts + 1) : 1;
    this.span = startSpan(`step ${step}`, { attributes: { ...jobAttributes(job), 'step.name': step, attempt } });
  }

  within<T>(fn: () => Promise<T>): Promise<T> {
    return withSpan(this.span, fn);
  }

  end(outcome: StepOutcome, error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.span.setAttribute('step.outcome', outcome);
    if (error !== undefined) recordFailure(this.span, error);
    this.span.end();
    this.telemetry.stepAttempted(this.step, outcome, (performance.now() - this.started) / 1000);
  }
}
