import { sql } from 'kysely';
import type { Db } from '../open-database.js';
import { SWEEP_NAME } from './claim-sweep.js';

/**
 * Ends a sweep and frees the lease. A completed sweep makes the next one due one interval from
 * now (whichever replica takes it) and keeps its figures for the status route of every replica;
 * one cut short (shutdown) leaves both as they were, so another replica sweeps when it is due.
 * Nothing is written when the lease was lost meanwhile.
 */
export async function finishSweep(db: Db, owner: string, intervalMs: number, summary: Record<string, unknown>, completed: boolean): Promise<void> {
  await db
    .updateTable('reconcilerSweeps')
    .set(
      completed
        ? {
            leaseOwner: null,
            leaseUntil: null,
            nextSweepAt: sql<Date>`now() + ${intervalMs} * interval '1 millisecond'`,
            lastSweep: JSON.stringify({ ...summary, owner }),
          }
        : { leaseOwner: null, leaseUntil: null },
    )
    .where('name', '=', SWEEP_NAME)
    .where('leaseOwner', '=', owner)
    .execute();
}
