import { sql } from 'kysely';
import type { Db } from '../open-database.js';
import { SWEEP_NAME } from './claim-sweep.js';

/** Extends the sweep lease between pages; false when another replica took it (this sweep stops). */
export async function renewSweep(db: Db, owner: string, leaseMs: number): Promise<boolean> {
  const result = await db
    .updateTable('reconcilerSweeps')
    .set({ leaseUntil: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'` })
    .where('name', '=', SWEEP_NAME)
    .where('leaseOwner', '=', owner)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
