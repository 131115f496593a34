import { sql } from 'kysely';
import type { Db } from '../open-database.js';

/** Provisioning jobs by status, and how many wait for a retry: for /metrics. */
export async function countJobsByStatus(db: Db): Promise<{ byStatus: Map<string, number>; waitingForRetry: number }> {
  const rows = await db
    .selectFrom('tenantProvisioningJobs')
    .select([
      'status',
      sql<number>`count(*)::int`.as('count'),
      sql<number>`(count(*) filter (where next_retry_at > now()))::int`.as('waiting'),
    ])
    .groupBy('status')
    .execute();
  return { byStatus: new Map(rows.map((r) => [r.status, r.count])), waitingForRetry: rows.reduce((n, r) => n + r.waiting, 0) };
}
