import { sql } from 'kysely';
import type { Db } from '../open-database.js';

/**
 * Records that every sink has the event. No lease check: a delivery that happened is a fact even
 * if the lease ran out meanwhile, and writing it only spares a duplicate. Returns false when the
 * event was already marked (another relay delivered it after our lease ended).
 */
export async function markOutboxDelivered(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ deliveredAt: sql<Date>`now()` })
    .where('id', '=', id)
    .where('deliveredAt', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
