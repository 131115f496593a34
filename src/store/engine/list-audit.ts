import type { Selectable } from 'kysely';
import type { Db } from '../open-database.js';
import type { ProvisioningAuditLogsTable } from '../schema.js';

/** A history row as the API shows it (its tenant is the one asked about). */
export type AuditRow = Omit<Selectable<ProvisioningAuditLogsTable>, 'id' | 'tenantId'>;

/** A tenant's audit rows after sequence number `afterSeq`, oldest first. */
export async function listAudit(db: Db, tenantId: string, afterSeq: number, limit: number): Promise<AuditRow[]> {
  return db
    .selectFrom('provisioningAuditLogs')
    .select(['seq', 'jobId', 'kind', 'fromState', 'toState', 'step', 'trigger', 'details', 'actor', 'createdAt'])
    .where('tenantId', '=', tenantId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}
