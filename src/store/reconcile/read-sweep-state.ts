import type { Db } from '../open-database.js';
import { SWEEP_NAME } from './claim-sweep.js';
import { countOpenReconciles } from './count-open-reconciles.js';

export interface SweepState {
  leaseOwner: string | null;
  leaseUntil: Date | null;
  nextSweepAt: Date | null;
  /** The last full sweep any replica finished (its SweepSummary and owner); null before the first. */
  lastSweep: Record<string, unknown> | null;
  openReconcileJobs: number;
}

/** What GET /api/v1/infrastructure/reconciler shows of the shared state. */
export async function readSweepState(db: Db): Promise<SweepState> {
  const row = await db
    .selectFrom('reconcilerSweeps')
    .select(['leaseOwner', 'leaseUntil', 'nextSweepAt', 'lastSweep'])
    .where('name', '=', SWEEP_NAME)
    .executeTakeFirst();
  return {
    leaseOwner: row?.leaseOwner ?? null,
    leaseUntil: row?.leaseUntil ?? null,
    nextSweepAt: row?.nextSweepAt ?? null,
    lastSweep: row?.lastSweep ?? null,
    openReconcileJobs: await countOpenReconciles(db),
  };
}
