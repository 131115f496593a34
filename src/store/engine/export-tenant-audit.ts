import type { Db } from '../open-database.js';

/**
 * Everything the control plane recorded about a tenant, for the archive (spec/002 "Deletion" 2):
 * the tenant record, every job, every audit row and every infrastructure transition, oldest first,
 * one record per line with its `type`. Read in one transaction so the lines agree with each other.
 */
export function tenantAuditExport(db: Db) {
  return async (tenantId: string): Promise<Record<string, unknown>[]> =>
    db.transaction().execute(async (trx) => {
      const tenant = await trx.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
      if (!tenant) return [];
      const jobs = await trx
        .selectFrom('tenantProvisioningJobs')
        .select(['id', 'kind', 'tier', 'status', 'currentState', 'initiatedBy', 'startedAt', 'completedAt', 'errorMessage', 'retryCount', 'createdAt'])
        .where('tenantId', '=', tenantId)
        .orderBy('id')
        .execute();
      const audit = await trx.selectFrom('provisioningAuditLogs').selectAll().where('tenantId', '=', tenantId).orderBy('seq').execute();
      const transitions = await trx.selectFrom('infrastructureStateTransitions').selectAll().where('tenantId', '=', tenantId).orderBy('seq').execute();
      return [
        { type: 'tenant', exportedAt: new Date().toISOString(), tenant },
        ...jobs.map((job) => ({ type: 'job', ...job })),
        ...audit.map((row) => ({ type: 'audit', ...row, seq: Number(row.seq) })),
        ...transitions.map((row) => ({ type: 'infrastructure_transition', ...row, seq: Number(row.seq) })),
      ];
    });
}
