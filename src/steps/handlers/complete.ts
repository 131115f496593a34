import { changesOf, removedBy } from '../../domain/job-outcomes.js';
import { StepName } from '../../domain/plans.js';
import { JobKind } from '../../domain/provisioning.js';
import type { StepHandler } from '../step.js';

export type CompleteOutputs =
  /** A converging run (update, repair, suspend, reactivate): the generation reached and what changed, by step. */
  | { generation: number; changed: Record<string, Record<string, unknown>> }
  /** A deprovisioning: what each step removed; the record stays. */
  | { removed: Record<string, unknown>; recordDeleted: false };

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    COMPLETE: CompleteOutputs;
  }
}

/**
 * COMPLETE, the last step of every operation but a provisioning and a deletion. Its effect (the
 * tenant's status, the event) is committed with the job's end (`domain/job-outcomes.ts`,
 * `store/engine/finish-job.ts`); this handler gives the step's record, which the history keeps.
 */
export function complete(): StepHandler {
  return {
    name: StepName.COMPLETE,
    run(ctx) {
      const outputs: CompleteOutputs =
        ctx.operation.kind === JobKind.DEPROVISION
          ? { removed: removedBy(ctx.outputs), recordDeleted: false }
          : { generation: ctx.operation.generation, changed: changesOf(ctx.outputs) };
      return Promise.resolve({ outputs });
    },
    rollback: () => Promise.resolve(),
  };
}
