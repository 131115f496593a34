import type { Db } from '../open-database.js';

export interface DriftEvent {
  tenantId: string;
  /** Null when the tenant row is gone. */
  slug: string | null;
  seq: number;
  actor: string;
  /** What differed, as the reconciler wrote it ("NetworkPolicy/allow-dns missing"). */
  differences: string[];
  createdAt: Date;
}

/**
 * The newest `drift.detected` audit rows across tenants (queue-reconcile.ts writes them). No index
 * serves this: it is read by the health page of an operator, not on any hot path.
 */
export async function listRecentDrift(db: Db, limit = 20): Promise<DriftEvent[]> {
  const rows = await db
    .selectFrom('provisioningAuditLogs as a')
    .leftJoin('tenants as t', 't.id', 'a.tenantId')
    .select(['a.tenantId', 't.slug', 'a.seq', 'a.actor', 'a.details', 'a.createdAt'])
    .where('a.trigger', '=', 'drift.detected')
    .orderBy('a.createdAt', 'desc')
    .orderBy('a.seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    tenantId: r.tenantId,
    slug: r.slug ?? null,
    seq: r.seq,
    actor: r.actor,
    differences: Array.isArray(r.details.differences) ? r.details.differences.filter((d): d is string => typeof d === 'string') : [],
    createdAt: r.createdAt,
  }));
}
