import { elapsed, formatClock, formatDuration, formatTime, humanize } from '../format.js';
import type { LinkState } from '../live.js';
import type { ProvisioningStatus, StepState } from '../types.js';
import { ProgressBar } from './progress-bar.js';
import { StatusBadge } from './status-badge.js';

/**
 * The tenant's current job as the plan lays it out: stages and their steps with status,
 * duration, attempts and error; overall progress and ETA; the last error on top. Everything
 * comes from the status document the WebSocket pushes after each transition.
 */
export function ProvisioningView({ status, link, now }: { status: ProvisioningStatus; link: LinkState; now: number }) {
  const { job } = status;
  const running = job.status === 'RUNNING' || job.status === 'PENDING' || job.status === 'ROLLING_BACK';
  const failedStep = [...status.steps].reverse().find((s) => s.lastError && (s.status === 'FAILED' || s.status === 'ROLLBACK_FAILED' || s.status === 'RUNNING'));
  const lastError = status.errorMessage ?? failedStep?.lastError ?? null;
  const eta = status.estimatedCompletion ? new Date(status.estimatedCompletion).getTime() - now : undefined;
  const stages = groupByStage(status.steps);
  // A failed step of a job still running waits for its retry: not a failure yet.
  const retrying = running && status.nextRetryAt !== null;
  const shown = (s: string) => (retrying && s === 'FAILED' ? 'RETRYING' : s);

  return (
    <section class="card" aria-labelledby="provisioning-heading" data-testid="provisioning-view" data-job-status={job.status}>
      <div class="card-head">
        <h2 id="provisioning-heading">
          {humanize(job.kind)} job <StatusBadge status={job.status} />
        </h2>
        <LinkIndicator link={link} />
      </div>

      {lastError && (
        <div class="notice notice-error last-error" role="alert" data-testid="last-error">
          <p class="notice-title">
            Last error{failedStep ? ` in ${failedStep.name} ${attemptNote(failedStep)}` : ''}
          </p>
          <p class="error-text">{lastError}</p>
          {status.nextRetryAt && running && <p>Next retry at {formatTime(status.nextRetryAt)}.</p>}
        </div>
      )}

      <ProgressBar value={status.progress} label={`${humanize(job.kind)} progress`} />
      <dl class="facts">
        <div>
          <dt>Phase</dt>
          <dd data-testid="current-phase">{humanize(status.currentPhase)}</dd>
        </div>
        <div>
          <dt>Current step</dt>
          <dd>{status.currentStep ?? '–'}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{formatTime(status.startedAt)}</dd>
        </div>
        <div>
          <dt>{running ? 'Running for' : 'Took'}</dt>
          <dd>{formatDuration(elapsed(status.startedAt, running ? null : status.completedAt, now) ?? Number.NaN)}</dd>
        </div>
        <div>
          <dt>Estimated completion</dt>
          <dd data-testid="eta">
            {retrying && status.nextRetryAt && status.estimatedCompletion && status.nextRetryAt > status.estimatedCompletion
              ? `after the retry at ${formatClock(status.nextRetryAt)}`
              : running && eta !== undefined && status.estimatedCompletion
              ? `${eta > 0 ? `in about ${formatDuration(eta)}` : 'any moment'} (${formatClock(status.estimatedCompletion)})`
              : running
                ? 'estimating…'
                : status.completedAt
                  ? `finished ${formatTime(status.completedAt)}`
                  : '–'}
          </dd>
        </div>
        <div>
          <dt>Retries</dt>
          <dd>
            {status.retryCount} of {job.maxRetries}
          </dd>
        </div>
      </dl>

      <div class="table-wrap" role="region" aria-label="Steps of the plan" tabIndex={0}>
        <table class="table steps" data-testid="steps">
          <caption class="visually-hidden">Stages and steps of the {humanize(job.kind).toLowerCase()} plan</caption>
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Status</th>
              <th scope="col">Duration</th>
              <th scope="col">Attempts</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          {stages.map(([stage, steps]) => (
            <tbody key={stage}>
              <tr class="stage-row">
                <th scope="rowgroup" colSpan={5}>
                  {humanize(stage)} <StatusBadge status={shown(stageStatus(steps))} />
                </th>
              </tr>
              {steps.map((step) => (
                <tr key={step.name} data-step={step.name} data-step-status={step.status} class={step.status === 'RUNNING' ? 'step-running' : undefined}>
                  <th scope="row">
                    <code>{step.name}</code>
                  </th>
                  <td>
                    <StatusBadge status={shown(step.status)} />
                  </td>
                  <td>{stepDuration(step, now)}</td>
                  <td>{step.attempts}</td>
                  <td class="error-text">{step.lastError ?? ''}</td>
                </tr>
              ))}
            </tbody>
          ))}
        </table>
      </div>
    </section>
  );
}

/** Which attempt failed: a running step is on its next one. */
function attemptNote(step: StepState): string {
  return step.status === 'RUNNING' ? `(attempt ${step.attempts - 1}; attempt ${step.attempts} running now)` : `(attempt ${step.attempts})`;
}

function stepDuration(step: StepState, now: number): string {
  if (step.completedAt) return formatDuration(elapsed(step.startedAt, step.completedAt, now) ?? Number.NaN);
  return step.status === 'RUNNING' ? formatDuration(elapsed(step.startedAt, null, now) ?? Number.NaN) : '–';
}

function groupByStage(steps: readonly StepState[]): [string, StepState[]][] {
  const stages = new Map<string, StepState[]>();
  for (const step of [...steps].sort((a, b) => a.position - b.position)) {
    const list = stages.get(step.stage) ?? [];
    list.push(step);
    stages.set(step.stage, list);
  }
  return [...stages];
}

function stageStatus(steps: readonly StepState[]): string {
  if (steps.some((s) => s.status === 'FAILED' || s.status === 'ROLLBACK_FAILED')) return 'FAILED';
  if (steps.some((s) => s.status === 'RUNNING')) return 'RUNNING';
  if (steps.every((s) => s.status === 'COMPLETED')) return 'COMPLETED';
  if (steps.every((s) => s.status === 'ROLLED_BACK')) return 'ROLLED_BACK';
  return 'PENDING';
}

export function LinkIndicator({ link }: { link: LinkState }) {
  const text =
    link.kind === 'live'
      ? 'Live'
      : link.kind === 'connecting'
        ? 'Connecting…'
        : link.kind === 'reconnecting'
          ? `Connection lost; reconnecting in ${Math.ceil(link.inMs / 1000)} s (attempt ${link.attempt})`
          : `Live updates refused: ${link.reason || link.code}`;
  return (
    <p class={`link link-${link.kind}`} role="status" aria-live="polite" data-testid="link-state" data-link={link.kind}>
      <span class="link-dot" aria-hidden="true" />
      {text}
    </p>
  );
}
