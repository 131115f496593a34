import { removedBy } from '../../domain/job-outcomes.js';
import { StepName } from '../../domain/plans.js';
import type { StepHandler } from '../step.js';

export interface DeleteTenantRecordOutputs {
  /** The deletion receipt: what each teardown step removed, and the audit archive with its checksum. */
  removed: Record<string, unknown>;
  recordDeleted: true;
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    DELETE_TENANT_RECORD: DeleteTenantRecordOutputs;
  }
}

/**
 * DELETE_TENANT_RECORD, the last step of a deletion (spec/002 "Deletion" 7-8). The record's
 * removal (a tombstone stays for the history) and TENANT_DELETED are committed with the job's end
 * (`domain/job-outcomes.ts`, `store/engine/finish-job.ts`); this handler gives the receipt they
 * carry. Nothing runs after it, so there is nothing to roll back.
 */
export function deleteTenantRecord(): StepHandler {
  return {
    name: StepName.DELETE_TENANT_RECORD,
    run: (ctx) => Promise.resolve({ outputs: { removed: removedBy(ctx.outputs), recordDeleted: true } satisfies DeleteTenantRecordOutputs }),
    rollback: () => Promise.resolve(),
  };
}
