import type { ProvisioningStatus, StepState } from './api-types.js';

/**
 * The status document drawn as one bar per stage of the job's plan. Stages come from the
 * document's steps (in plan order), so any plan the server runs is drawn without the CLI
 * knowing it; each bar fills with the completed steps of its stage.
 */

export type StageState = 'done' | 'running' | 'failed' | 'rolled-back' | 'pending';

export interface StageProgress {
  stage: string;
  completed: number;
  total: number;
  state: StageState;
  /** The stage's step that is running or failed, if any. */
  activeStep: string | null;
}

const FINISHED_JOB = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export function isJobFinished(status: ProvisioningStatus): boolean {
  return FINISHED_JOB.has(status.job.status);
}

export function stageProgress(steps: readonly StepState[]): StageProgress[] {
  const byStage = new Map<string, StepState[]>();
  for (const step of [...steps].sort((a, b) => a.position - b.position)) {
    const list = byStage.get(step.stage) ?? [];
    list.push(step);
    byStage.set(step.stage, list);
  }
  return [...byStage].map(([stage, list]) => {
    const completed = list.filter((s) => s.status === 'COMPLETED').length;
    const failed = list.find((s) => s.status === 'FAILED' || s.status === 'ROLLBACK_FAILED');
    const running = list.find((s) => s.status === 'RUNNING');
    const rolledBack = list.some((s) => s.status === 'ROLLED_BACK');
    const state: StageState =
      failed ? 'failed'
      : completed === list.length ? 'done'
      : running ? 'running'
      : rolledBack ? 'rolled-back'
      : completed > 0 ? 'running'
      : 'pending';
    return { stage, completed, total: list.length, state, activeStep: (failed ?? running)?.name ?? null };
  });
}

export interface Glyphs {
  full: string;
  empty: string;
  marks: Record<StageState, string>;
}

export const UNICODE_GLYPHS: Glyphs = {
  full: '█',
  empty: '░',
  marks: { done: '✔', running: '▸', failed: '✘', 'rolled-back': '↺', pending: ' ' },
};

export const ASCII_GLYPHS: Glyphs = {
  full: '#',
  empty: '-',
  marks: { done: '+', running: '>', failed: 'x', 'rolled-back': '<', pending: ' ' },
};

export function bar(fraction: number, width: number, glyphs: Glyphs): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return glyphs.full.repeat(filled) + glyphs.empty.repeat(width - filled);
}

/** The whole picture: a headline, a bar per stage, the overall bar with ETA, the last error. */
export function renderStatus(status: ProvisioningStatus, options: { glyphs: Glyphs; width?: number; now?: Date }): string[] {
  const width = options.width ?? 24;
  const stages = stageProgress(status.steps);
  const nameWidth = Math.max(...stages.map((s) => s.stage.length), 'overall'.length);
  const lines = [`${status.job.kind} job ${status.job.id} ${status.job.status}, tenant ${status.status}`];
  for (const s of stages) {
    const detail = s.activeStep && s.state !== 'done' ? `  ${s.activeStep}` : '';
    lines.push(`${options.glyphs.marks[s.state]} ${s.stage.padEnd(nameWidth)}  ${bar(s.total === 0 ? 1 : s.completed / s.total, width, options.glyphs)}  ${`${s.completed}/${s.total}`.padStart(5)}${detail}`);
  }
  lines.push(`  ${'overall'.padEnd(nameWidth)}  ${bar(status.progress / 100, width, options.glyphs)}  ${`${status.progress}%`.padStart(5)}  ${timing(status, options.now ?? new Date())}`);
  if (status.errorMessage) lines.push(`  last error: ${status.errorMessage}`);
  if (status.nextRetryAt && !isJobFinished(status)) lines.push(`  retry ${status.retryCount}/${status.job.maxRetries} at ${status.nextRetryAt}`);
  return lines;
}

function timing(status: ProvisioningStatus, now: Date): string {
  if (status.job.status === 'SUCCEEDED' && status.startedAt && status.completedAt) {
    return `done in ${formatDuration(Date.parse(status.completedAt) - Date.parse(status.startedAt))}`;
  }
  if (isJobFinished(status) || !status.estimatedCompletion) return '';
  return `ETA ${formatDuration(Math.max(0, Date.parse(status.estimatedCompletion) - now.getTime()))}`;
}

/** 850 ms, 4.2s, 3m05s, 1h02m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}
