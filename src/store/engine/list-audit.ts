import type { Db } from '../open-database.js';

export interface AuditRow {
  seq: number;
  jobId: string | null;
  kind: string;
  fromState: string | null;
  toState: string | null;
  step: string | null;
  trigger: string;
  details: Record<string, unknown>;
  actor: string;
  createdAt: Date;
}

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
