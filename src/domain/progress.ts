import { type Plan, SYNCHRONOUS_STEPS } from './plans.js';
import { ProvisioningState } from './provisioning.js';

export const StepStatus = {
  PENDING: 'PENDING',
  RUNNING: 'RUNNING',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  ROLLED_BACK: 'ROLLED_BACK',
  ROLLBACK_FAILED: 'ROLLBACK_FAILED',
} as const;
export type StepStatus = (typeof StepStatus)[keyof typeof StepStatus];

export interface StepRecord {
  name: string;
  stage: string;
  position: number;
  status: StepStatus;
  attempts: number;
  startedAt: Date | null;
  completedAt: Date | null;
  lastError: string | null;
}

export interface Progress {
  currentPhase: string;
  currentStep: string | null;
  completedPhases: string[];
  remainingPhases: string[];
  /** 0-100, each step weighted by its typical duration. */
  progress: number;
  estimatedCompletion: Date | null;
}

/**
 * Where a job stands, from its plan and its step records: the status API, the WebSocket and
 * the dashboard all show this. The ETA starts from the plan's typical durations and is scaled by
 * how fast the completed steps actually went (observed over typical), within sane bounds.
 */
export function computeProgress(plan: Plan, records: ReadonlyMap<string, StepRecord>, now: Date): Progress {
  const done = (position: number) => records.get(key(plan, position))?.status === StepStatus.COMPLETED;
  const total = plan.steps.reduce((sum, s) => sum + s.typicalSeconds, 0);
  let completedWeight = 0;
  let observed = 0;
  let typicalOfObserved = 0;
  for (const step of plan.steps) {
    if (!done(step.position)) continue;
    completedWeight += step.typicalSeconds;
    const record = records.get(key(plan, step.position));
    // The synchronous steps ran inside the create request: they say nothing about the cloud's pace.
    if (record?.startedAt && record.completedAt && !SYNCHRONOUS_STEPS.has(step.name)) {
      observed += (record.completedAt.getTime() - record.startedAt.getTime()) / 1000;
      typicalOfObserved += step.typicalSeconds;
    }
  }
  const current = plan.steps.find((s) => !done(s.position));
  const stageDone = (stage: string) => plan.steps.filter((s) => s.stage === stage).every((s) => done(s.position));
  const completedPhases = plan.stages.map((s) => s.state).filter((state) => state !== ProvisioningState.COMPLETED && stageDone(state));
  if (!current) {
    return { currentPhase: ProvisioningState.COMPLETED, currentStep: null, completedPhases, remainingPhases: [], progress: 100, estimatedCompletion: null };
  }
  const stageIndex = plan.stages.findIndex((s) => s.state === current.stage);
  // The terminal COMPLETED state is where a job ends, not a phase still to go (spec/003's example).
  const remainingPhases = plan.stages
    .slice(stageIndex + 1)
    .map((s) => s.state)
    .filter((state) => state !== ProvisioningState.COMPLETED);

  const factor = typicalOfObserved > 0 ? Math.min(20, Math.max(0.001, observed / typicalOfObserved)) : 1;
  let remaining = 0;
  for (const step of plan.steps) {
    if (done(step.position)) continue;
    const record = records.get(key(plan, step.position));
    const elapsed = record?.status === StepStatus.RUNNING && record.startedAt ? (now.getTime() - record.startedAt.getTime()) / 1000 : 0;
    remaining += Math.max(0, step.typicalSeconds * factor - elapsed);
  }
  return {
    currentPhase: current.stage,
    currentStep: current.name,
    completedPhases,
    remainingPhases,
    progress: Math.min(99, Math.floor((100 * completedWeight) / total)),
    estimatedCompletion: new Date(now.getTime() + Math.round(remaining * 1000)),
  };
}

/** Step records are keyed by name; a name appears once per plan. */
function key(plan: Plan, position: number): string {
  return plan.steps[position]?.name ?? '';
}
