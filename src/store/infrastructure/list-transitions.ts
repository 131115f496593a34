import type { Db } from '../open-database.js';

/** An InfrastructureStateTransition of spec/000. */
export interface InfrastructureTransition {
  id: string;
  tenantId: string;
  /** Position among all transitions: the paging cursor. */
  seq: number;
  fromState: string | null;
  toState: string;
  trigger: string;
  details: Record<string, unknown>;
  jobId: string | null;
  timestamp: Date;
}

export interface TransitionPage {
  items: InfrastructureTransition[];
  /** The seq to pass as `after` for the next page; null on the last. */
  nextAfter: number | null;
}

/**
 * A tenant's infrastructure transitions after `after` (a seq), oldest first. Reads one row more
 * than asked so the last page says it is the last.
 */
export async function listTransitions(db: Db, tenantId: string, after: number, limit: number): Promise<TransitionPage> {
  const rows = await db
    .selectFrom('infrastructureStateTransitions')
    .selectAll()
    .where('tenantId', '=', tenantId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit + 1)
    .execute();
  // bigint identity: node-postgres hands it over as a string (it may exceed 2^53).
  const items = rows.slice(0, limit).map((r) => ({ ...r, seq: Number(r.seq) }));
  const last = items.at(-1);
  return { items, nextAfter: rows.length > limit && last ? last.seq : null };
}
