import { removedBy } from '../../domain/job-outcomes.js';
import { StepName } from '../../domain/plans.js';
import { type ArchiveStore, DriverError } from '../../drivers/contract.js';
import type { StepHandler } from '../step.js';
import { outputOf } from '../support/step-outputs.js';
import { auditArchiveKey } from './archive-audit-logs.js';

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
 * removal (a tombstone without personal data stays for the history) and TENANT_DELETED are
 * committed with the job's end (`domain/job-outcomes.ts`, `store/engine/finish-job.ts`); this
 * handler gives the receipt they carry. Nothing runs after it, so there is nothing to roll back.
 *
 * The tombstone keeps no name, slug or email: from then on the audit archive is their only copy.
 * So the archive is read back first and its checksum compared with the one ARCHIVE_AUDIT_LOGS
 * recorded; an archive gone or changed stops the deletion here (permanently: retrying will not
 * bring it back; an operator restores it, or retries the whole deletion to write a new one) with
 * the record still whole.
 */
export function deleteTenantRecord(archive: ArchiveStore): StepHandler {
  return {
    name: StepName.DELETE_TENANT_RECORD,
    async run(ctx) {
      const archived = outputOf(ctx, StepName.ARCHIVE_AUDIT_LOGS);
      if (!archived?.sha256) throw new DriverError('no audit archive was recorded for this deletion; the tenant record is kept', false);
      const found = await archive.verify(auditArchiveKey(ctx.tenant.id, ctx.jobId));
      // verify() also answers undefined for bytes that no longer match the checksum stored beside them.
      if (!found) throw new DriverError(`the audit archive ${archived.archive ?? auditArchiveKey(ctx.tenant.id, ctx.jobId)} is gone or damaged; the tenant record is kept`, false);
      if (found.sha256 !== archived.sha256) {
        throw new DriverError(`the audit archive ${found.location} no longer has the checksum recorded when it was written; the tenant record is kept`, false);
      }
      return { outputs: { removed: removedBy(ctx.outputs), recordDeleted: true } satisfies DeleteTenantRecordOutputs };
    },
    rollback: () => Promise.resolve(),
  };
}
