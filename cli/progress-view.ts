import type { ProvisioningStatus, Transition } from './api-types.js';
import type { Io, OutputFormat } from './output.js';
import { UNICODE_GLYPHS, formatDuration, isJobFinished, renderStatus } from './progress-bars.js';

/** What `tenants status --watch` shows while the job runs. */
export interface ProgressView {
  onStatus(status: ProvisioningStatus): void;
  onTransition(transition: Transition): void;
  onReconnect(attempt: number, reason: string): void;
  /** Stops timers; prints the closing line for people (not in JSON mode). */
  finish(status: ProvisioningStatus | undefined): void;
}

export function progressView(io: Io, format: OutputFormat, label: string): ProgressView {
  if (format === 'json') return { onStatus() {}, onTransition() {}, onReconnect() {}, finish() {} };
  return io.stdoutIsTTY ? new LiveBars(io, label) : new TransitionLines(io, label);
}

/** On a terminal: the bars, redrawn in place on every status and once a second for the ETA. */
class LiveBars implements ProgressView {
  private drawn = 0;
  private last: ProvisioningStatus | undefined;
  private notice = '';
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly io: Io,
    private readonly label: string,
  ) {
    this.timer = setInterval(() => this.draw(), 1000);
    this.timer.unref();
  }

  onStatus(status: ProvisioningStatus): void {
    this.last = status;
    this.notice = '';
    this.draw();
  }

  onTransition(): void {}

  onReconnect(attempt: number, reason: string): void {
    this.notice = `  connection lost (${reason}); reconnecting, attempt ${attempt}`;
    this.draw();
  }

  finish(status: ProvisioningStatus | undefined): void {
    clearInterval(this.timer);
    if (status && status !== this.last) this.onStatus(status);
    if (status) this.io.out(closingLine(status, this.label));
  }

  private draw(): void {
    if (!this.last) return;
    const [headline, ...bars] = renderStatus(this.last, { glyphs: UNICODE_GLYPHS });
    const lines = [`${this.label}: ${headline ?? ''}`, ...bars, ...(this.notice ? [this.notice] : [])];
    // Up to the first line drawn last time, clear below, draw again.
    const rewind = this.drawn > 0 ? `\x1b[${this.drawn}F\x1b[J` : '';
    this.io.out(`${rewind}${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }
}

/**
 * Not a terminal (a pipe, a log file, CI): one line per transition, never a redraw. Each line
 * carries the steps completed so far, overall and in the step's stage, counted from the
 * transitions themselves: the server's percentage comes with a status computed after the batch,
 * often ahead of the line being printed.
 */
class TransitionLines implements ProgressView {
  private started = false;
  private readonly completed = new Set<string>();
  private readonly stageOf = new Map<string, string>();
  private readonly stageTotals = new Map<string, number>();

  constructor(
    private readonly io: Io,
    private readonly label: string,
  ) {}

  onStatus(status: ProvisioningStatus): void {
    if (!this.started) {
      this.started = true;
      for (const step of status.steps) {
        this.stageOf.set(step.name, step.stage);
        this.stageTotals.set(step.stage, (this.stageTotals.get(step.stage) ?? 0) + 1);
        if (step.status === 'COMPLETED') this.completed.add(step.name);
      }
      const eta = status.estimatedCompletion && !isJobFinished(status) ? `, ETA ${formatDuration(Math.max(0, Date.parse(status.estimatedCompletion) - Date.now()))}` : '';
      this.io.out(`${this.label}: ${status.job.kind} job ${status.job.id} ${status.job.status}, ${status.progress}%${eta}, tenant ${status.status}\n`);
    }
  }

  onTransition(t: Transition): void {
    if (t.step && t.trigger === 'step.completed') this.completed.add(t.step);
    if (t.step && t.trigger === 'rollback.step_completed') this.completed.delete(t.step);
    const steps = `${this.completed.size}/${this.stageOf.size}`;
    this.io.out(`${t.createdAt.slice(11, 19)}  ${steps.padStart(5)}  ${t.trigger.padEnd(24)}  ${this.subject(t)}\n`);
  }

  onReconnect(attempt: number, reason: string): void {
    this.io.err(`connection lost (${reason}); reconnecting, attempt ${attempt}\n`);
  }

  finish(status: ProvisioningStatus | undefined): void {
    if (status) this.io.out(closingLine(status, this.label));
  }

  private subject(t: Transition): string {
    const error = typeof t.details.error === 'string' ? `: ${t.details.error}` : typeof t.details.reason === 'string' ? `: ${t.details.reason}` : '';
    if (t.step) {
      const stage = this.stageOf.get(t.step) ?? t.toState ?? '';
      const total = this.stageTotals.get(stage);
      const done = [...this.completed].filter((s) => this.stageOf.get(s) === stage).length;
      return `${stage} ${t.step}${total ? ` (${done}/${total})` : ''}${error}`;
    }
    if (t.kind === 'JOB') {
      const took = typeof t.details.durationMs === 'number' ? ` in ${formatDuration(t.details.durationMs)}` : '';
      const kind = typeof t.details.kind === 'string' ? `${t.details.kind} ` : '';
      return `${kind}${t.toState ?? ''}${took}${error}`;
    }
    return [t.fromState, t.toState].filter((s) => s !== null).join(' -> ') + error;
  }
}

function closingLine(status: ProvisioningStatus, label: string): string {
  if (!isJobFinished(status)) return '';
  const outcome = status.job.status === 'SUCCEEDED' ? 'succeeded' : status.job.status.toLowerCase();
  const why = status.errorMessage && status.job.status !== 'SUCCEEDED' ? `: ${status.errorMessage}` : '';
  const took = status.startedAt && status.completedAt ? ` in ${formatDuration(Date.parse(status.completedAt) - Date.parse(status.startedAt))}` : '';
  return `${status.job.kind} job ${outcome}${took}${why}; ${label} is ${status.status}\n`;
}
