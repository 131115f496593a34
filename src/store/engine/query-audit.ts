import type { Db } from '../open-database.js';
import type { AuditEntry } from './audit.js';
import type { AuditRow } from './list-audit.js';

export type AuditKind = AuditEntry['kind'];

// A record rather than a list so the compiler insists on every kind appendAudit may write, and no other.
const KINDS: Record<AuditKind, true> = { JOB: true, STAGE: true, STEP: true, ROLLBACK: true, OPERATION: true };

/** Every kind of audit row, in the order the API documents them. */
export const AUDIT_KINDS: readonly AuditKind[] = Object.keys(KINDS) as AuditKind[];

export function isAuditKind(value: string): value is AuditKind {
  return Object.hasOwn(KINDS, value);
}

export interface AuditQuery {
  /** Only rows after this sequence number (the cursor). */
  afterSeq: number;
  limit: number;
  /** Inclusive. */
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
  /** Any of these kinds; all when undefined. */
  kinds?: readonly string[] | undefined;
  /** Any of these triggers; all when undefined. */
  triggers?: readonly string[] | undefined;
}

export interface AuditPage {
  items: AuditRow[];
  /** The sequence number to pass as afterSeq for the next page; null when no matching row is left. */
  nextAfterSeq: number | null;
}

/**
 * A tenant's audit rows matching the filters, oldest first by sequence number. Reads one row
 * more than asked so that the last page says so, instead of sending the caller for an empty one.
 * The (tenant_id, seq) unique index serves the order and the cursor; the time, kind and trigger
 * filters are checked on the rows it yields, which is cheap at one tenant's history size.
 */
export async function queryAudit(db: Db, tenantId: string, q: AuditQuery): Promise<AuditPage> {
  let query = db
    .selectFrom('provisioningAuditLogs')
    .select(['seq', 'jobId', 'kind', 'fromState', 'toState', 'step', 'trigger', 'details', 'actor', 'createdAt'])
    .where('tenantId', '=', tenantId)
    .where('seq', '>', q.afterSeq);
  if (q.from) query = query.where('createdAt', '>=', q.from);
  if (q.to) query = query.where('createdAt', '<', q.to);
  if (q.kinds) query = q.kinds.length === 0 ? query.where((eb) => eb.lit(false)) : query.where('kind', 'in', q.kinds);
  if (q.triggers) query = q.triggers.length === 0 ? query.where((eb) => eb.lit(false)) : query.where('trigger', 'in', q.triggers);
  const rows = await query.orderBy('seq').limit(q.limit + 1).execute();
  const items = rows.slice(0, q.limit);
  const last = items.at(-1);
  return { items, nextAfterSeq: rows.length > q.limit && last ? last.seq : null };
}
