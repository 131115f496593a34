import { sql } from 'kysely';
import type { Db } from '../open-database.js';

/** The one row of reconciler_sweeps (migration 0008). */
export const SWEEP_NAME = 'infrastructure';

export interface ClaimSweepInput {
  owner: string;
  leaseMs: number;
  /** Sweep now even if the next sweep is not due yet (an operator's or a test's sweepOnce). */
  force: boolean;
}

export type SweepClaim =
  | { claimed: true }
  /** Not due, or another replica is sweeping: look again after `waitMs` (by the database clock). */
  | { claimed: false; waitMs: number; leaseOwner: string | null };

/**
 * Takes the sweep lease when the next sweep is due and no other replica holds it (or its holder
 * stopped renewing it): so N replicas sweep once per interval between them. Compare-and-set on
 * the row, by the database clock, like the job leases.
 */
export async function claimSweep(db: Db, input: ClaimSweepInput): Promise<SweepClaim> {
  const claimed = await db
    .updateTable('reconcilerSweeps')
    .set({ leaseOwner: input.owner, leaseUntil: sql<Date>`now() + ${input.leaseMs} * interval '1 millisecond'` })
    .where('name', '=', SWEEP_NAME)
    .where((eb) => eb.or([eb('leaseUntil', 'is', null), eb('leaseUntil', '<', sql<Date>`now()`), eb('leaseOwner', '=', input.owner)]))
    .where((eb) => (input.force ? sql<boolean>`true` : eb('nextSweepAt', '<=', sql<Date>`now()`)))
    .returning('name')
    .executeTakeFirst();
  if (claimed) return { claimed: true };
  const row = await db
    .selectFrom('reconcilerSweeps')
    .select([
      'leaseOwner',
      sql<number>`greatest(0, extract(epoch from greatest(next_sweep_at, coalesce(lease_until, next_sweep_at)) - now()) * 1000)::float8`.as('waitMs'),
    ])
    .where('name', '=', SWEEP_NAME)
    .executeTakeFirst();
  return { claimed: false, waitMs: row?.waitMs ?? 0, leaseOwner: row?.leaseOwner ?? null };
}
