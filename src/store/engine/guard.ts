import { sql, type Transaction, type UpdateObject } from 'kysely';
import type { Schema } from '../schema.js';
import { LeaseLostError } from './lease-lost.js';

export interface JobGuard {
  jobId: string;
  owner: string;
  /** The job's status the worker believes it is in (RUNNING or ROLLING_BACK). */
  status: string;
  /** For forward progress: the step the worker is completing. */
  step?: string | null;
}

/**
 * Every write a worker makes starts here: the tenant's lock, then a compare-and-set on (job, lease owner, status, step)
 * that also extends the lease. Zero rows means the worker lost the job: it throws, the
 * transaction rolls back, and nothing the worker meant to write is written.
 */
export async function guardJob(
  trx: Transaction<Schema>,
  guard: JobGuard,
  leaseMs: number,
  set: UpdateObject<Schema, 'tenantProvisioningJobs', 'tenantProvisioningJobs'> = {},
): Promise<void> {
  // The tenant's row before the job's: every transaction that touches a tenant's job takes its
  // locks in one order (tenant, job, declaration; store/transaction.ts), so a worker's write and
  // a request for the same tenant queue one behind the other instead of deadlocking. NO KEY
  // UPDATE: it does not block the rows that merely reference the tenant. One statement: the CTE
  // runs when the job's row is tested, before the update locks that row, so the order holds
  // with one round trip less on every step's commit.
  let q = trx
    .with('tenantLock', (db) =>
      db
        .selectFrom('tenants')
        .select(sql<number>`1`.as('locked'))
        .where('id', '=', (eb) => eb.selectFrom('tenantProvisioningJobs').select('tenantId').where('id', '=', guard.jobId))
        .forNoKeyUpdate(),
    )
    .updateTable('tenantProvisioningJobs')
    .set({ leaseUntil: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'`, updatedAt: sql<Date>`now()`, ...set })
    .where((eb) => eb.exists(eb.selectFrom('tenantLock').select('locked')))
    .where('id', '=', guard.jobId)
    .where('leaseOwner', '=', guard.owner)
    .where('status', '=', guard.status);
  if (guard.step !== undefined) q = guard.step === null ? q.where('currentStep', 'is', null) : q.where('currentStep', '=', guard.step);
  const result = await q.executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new LeaseLostError(guard.jobId, guard.owner);
}
