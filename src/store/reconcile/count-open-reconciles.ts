import { sql, type Kysely, type Transaction } from 'kysely';
import { JobKind, JobStatus } from '../../domain/provisioning.js';
import type { Schema } from '../schema.js';

/** RECONCILE jobs queued or running, across every replica: what MATIH_RECONCILE_MAX_JOBS bounds. */
export async function countOpenReconciles(db: Kysely<Schema> | Transaction<Schema>): Promise<number> {
  const row = await db
    .selectFrom('tenantProvisioningJobs')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('kind', '=', JobKind.RECONCILE)
    .where('status', 'in', [JobStatus.PENDING, JobStatus.RUNNING, JobStatus.ROLLING_BACK])
    .executeTakeFirstOrThrow();
  return row.n;
}
