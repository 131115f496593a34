import { describe, expect, it } from 'vitest';
import type { ProvisioningStatus, StepState } from '../../cli/api-types.js';
import { ASCII_GLYPHS, formatDuration, renderStatus, stageProgress } from '../../cli/progress-bars.js';

function step(position: number, stage: string, status: string): StepState {
  return { name: `STEP_${position}`, stage, position, status, attempts: status === 'PENDING' ? 0 : 1, startedAt: null, completedAt: null, lastError: null };
}

function statusOf(steps: StepState[], overrides: Partial<ProvisioningStatus> = {}): ProvisioningStatus {
  return {
    tenantId: 't',
    status: 'PROVISIONING',
    currentPhase: 'B',
    completedPhases: ['A'],
    remainingPhases: ['C'],
    progress: 40,
    startedAt: '2026-01-01T00:00:00.000Z',
    estimatedCompletion: '2026-01-01T00:01:05.000Z',
    retryCount: 0,
    currentStep: 'STEP_2',
    steps,
    errorMessage: null,
    nextRetryAt: null,
    completedAt: null,
    job: { id: 'j', kind: 'PROVISION', status: 'RUNNING', maxRetries: 3, initiatedBy: 'bootstrap', tier: 'FREE', currentState: 'DEPLOYING_SERVICES', context: {} },
    lastSequence: 7,
    ...overrides,
  };
}

describe('progress bars of a status document', () => {
  it('groups steps into the stages of the plan, in plan order, and fills each with its completed steps', () => {
    // Out of order on purpose: the plan position decides.
    const steps = [step(3, 'C', 'PENDING'), step(0, 'A', 'COMPLETED'), step(2, 'B', 'RUNNING'), step(1, 'B', 'COMPLETED')];
    expect(stageProgress(steps)).toEqual([
      { stage: 'A', completed: 1, total: 1, state: 'done', activeStep: null },
      { stage: 'B', completed: 1, total: 2, state: 'running', activeStep: 'STEP_2' },
      { stage: 'C', completed: 0, total: 1, state: 'pending', activeStep: null },
    ]);
  });

  it('marks a stage failed when a step failed, and rolled back when its steps were undone', () => {
    const steps = [step(0, 'A', 'ROLLED_BACK'), step(1, 'B', 'COMPLETED'), step(2, 'B', 'FAILED')];
    expect(stageProgress(steps).map((s) => [s.stage, s.state, s.activeStep])).toEqual([
      ['A', 'rolled-back', null],
      ['B', 'failed', 'STEP_2'],
    ]);
  });

  it('draws a bar per stage, then the overall bar with the ETA, the last error and the next retry', () => {
    const status = statusOf([step(0, 'A', 'COMPLETED'), step(1, 'BB', 'COMPLETED'), step(2, 'BB', 'FAILED')], {
      errorMessage: 'timed out',
      retryCount: 1,
      nextRetryAt: '2026-01-01T01:00:00.000Z',
    });
    const lines = renderStatus(status, { glyphs: ASCII_GLYPHS, width: 10, now: new Date('2026-01-01T00:00:00.000Z') });
    expect(lines).toEqual([
      'PROVISION job j RUNNING, tenant PROVISIONING',
      '+ A        ##########    1/1',
      'x BB       #####-----    1/2  STEP_2',
      '  overall  ####------    40%  ETA 1m05s',
      '  last error: timed out',
      '  retry 1/3 at 2026-01-01T01:00:00.000Z',
    ]);
  });

  it('says how long a finished job took instead of an ETA', () => {
    const status = statusOf([step(0, 'A', 'COMPLETED')], {
      progress: 100,
      completedAt: '2026-01-01T00:00:04.200Z',
      job: { id: 'j', kind: 'SUSPEND', status: 'SUCCEEDED', maxRetries: 3, initiatedBy: 'x', tier: 'FREE', currentState: 'COMPLETED', context: {} },
    });
    expect(renderStatus(status, { glyphs: ASCII_GLYPHS, width: 4 }).at(-1)).toBe('  overall  ####   100%  done in 4.2s');
  });

  it('formats durations for people', () => {
    expect([850, 4_200, 185_000, 3_720_000].map(formatDuration)).toEqual(['850ms', '4.2s', '3m05s', '1h02m']);
  });
});
