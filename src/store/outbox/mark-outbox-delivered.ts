import type { Db } from '../open-database.js';
import { preparedStatement } from '../prepared-statement.js';

/**
 * Records that every sink has these events, in one statement for a relay's whole batch. No lease
 * check: a delivery that happened is a fact even if the lease ran out meanwhile, and writing it
 * only spares a duplicate. Returns how many were not marked yet (an event another relay delivered
 * after our lease ended is already marked and counts 0).
 */
export async function markOutboxDelivered(db: Db, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db.executeQuery(MARK.compile({ ids: [...ids] }));
  return Number(result.numAffectedRows ?? 0n);
}

// bigint ids in text, as one array: the same prepared statement whatever the batch size.
const MARK = preparedStatement<{ ids: string[] }>(
  (p) => `update outbox set delivered_at = now() where id = any(${p('ids')}::bigint[]) and delivered_at is null`,
);
