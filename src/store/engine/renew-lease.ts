import { sql } from 'kysely';
import type { Db } from '../open-database.js';

/** The heartbeat: extends the lease if still held, and says whether a cancel was asked for. */
export async function renewLease(db: Db, jobId: string, owner: string, leaseMs: number): Promise<{ held: boolean; cancelRequested: boolean }> {
  const row = await db
    .updateTable('tenantProvisioningJobs')
    .set({ leaseUntil: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'` })
    .where('id', '=', jobId)
    .where('leaseOwner', '=', owner)
    .returning('cancelRequestedBy')
    .executeTakeFirst();
  return { held: row !== undefined, cancelRequested: row !== undefined && row.cancelRequestedBy !== null };
}

/** On the embedded server one service runs at a time (the data-dir lock), so leases left by a killed process are dead. */
export async function releaseAllLeases(db: Db): Promise<number> {
  const result = await db.updateTable('tenantProvisioningJobs').set({ leaseOwner: null, leaseUntil: null }).where('leaseOwner', 'is not', null).executeTakeFirst();
  // The reconciler's sweep lease too: a process killed mid-sweep would otherwise hold it until it runs out.
  await db.updateTable('reconcilerSweeps').set({ leaseOwner: null, leaseUntil: null }).where('leaseOwner', 'is not', null).execute();
  return Number(result.numUpdatedRows);
}

/** Hands one job back (the worker lost its database session mid-step): any worker may claim it at once. */
export async function releaseLease(db: Db, jobId: string, owner: string): Promise<boolean> {
  const result = await db.updateTable('tenantProvisioningJobs').set({ leaseOwner: null, leaseUntil: null }).where('id', '=', jobId).where('leaseOwner', '=', owner).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** A worker stopping cleanly hands its jobs back at once instead of letting their leases run out. */
export async function releaseLeasesOf(db: Db, owner: string): Promise<number> {
  const result = await db.updateTable('tenantProvisioningJobs').set({ leaseOwner: null, leaseUntil: null }).where('leaseOwner', '=', owner).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
