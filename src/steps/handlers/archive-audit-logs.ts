import { StepName } from '../../domain/plans.js';
import type { ArchiveStore } from '../../drivers/contract.js';
import type { StepHandler } from '../step.js';

/** What the control plane knows of a tenant, as records for the archive (implemented over the store). */
export type TenantAuditExport = (tenantId: string) => Promise<readonly Record<string, unknown>[]>;

/** The receipt of the archive. */
export interface ArchiveAuditLogsOutputs {
  /** Where the archive store put the file. */
  archive: string;
  /** Of the bytes read back. */
  sha256: string;
  bytes: number;
  records: number;
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    ARCHIVE_AUDIT_LOGS: ArchiveAuditLogsOutputs;
  }
}

/** One archive per deletion job (a retried deletion keeps its job, so writes the same key again). */
export function auditArchiveKey(tenantId: string, jobId: string): string {
  return `tenants/${tenantId}/audit-${jobId}.jsonl`;
}

/**
 * spec/002 "Deletion" 2: the tenant's audit logs go to long-term storage before anything is
 * deleted (the step is first in the deletion plan, and the engine runs steps in order). One JSON
 * Lines file per deletion job; its SHA-256 is computed from the bytes read back and recorded in
 * the outputs (the receipt) and beside the file. A resumed deletion writes it again, with the
 * history it has by then.
 */
export function archiveAuditLogs(archive: ArchiveStore, exportAudit: TenantAuditExport): StepHandler {
  return {
    name: StepName.ARCHIVE_AUDIT_LOGS,
    async run(ctx) {
      const records = await exportAudit(ctx.tenant.id);
      const body = Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
      ctx.signal.throwIfAborted();
      const stored = await archive.put(auditArchiveKey(ctx.tenant.id, ctx.jobId), body);
      return {
        outputs: { archive: stored.location, sha256: stored.sha256, bytes: stored.bytes, records: records.length } satisfies ArchiveAuditLogsOutputs,
      };
    },
    // The archive is kept whatever happens next: it is the record of the tenant.
    async rollback() {},
  };
}
