import type { InsertObject } from 'kysely';
import { type Plan, SYNCHRONOUS_STEPS, firstAsyncPosition } from '../../domain/plans.js';
import { StepStatus } from '../../domain/progress.js';
import type { Schema } from '../schema.js';

/**
 * A job's step rows, written in the commit that queues the job, so that the status API, the
 * history and the worker all read the same rows from the first moment. The synchronous steps of
 * a provisioning were done by the create request: they are COMPLETED as of `synchronousAt` (the
 * tenant's creation).
 */
export function planStepRows(jobId: string, plan: Plan, synchronousAt: InsertObject<Schema, 'provisioningSteps'>['startedAt']): InsertObject<Schema, 'provisioningSteps'>[] {
  return plan.steps.map((s) => {
    const done = SYNCHRONOUS_STEPS.has(s.name);
    return {
      jobId,
      name: s.name,
      stage: s.stage,
      position: s.position,
      status: done ? StepStatus.COMPLETED : StepStatus.PENDING,
      attempts: done ? 1 : 0,
      startedAt: done ? synchronousAt : null,
      completedAt: done ? synchronousAt : null,
      lastError: null,
      outputs: '{}',
    };
  });
}

/** The step a queued job starts at: the first one the worker runs. */
export function firstStepOf(plan: Plan): string | null {
  return plan.steps[firstAsyncPosition(plan)]?.name ?? null;
}
