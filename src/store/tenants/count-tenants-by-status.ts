import { sql } from 'kysely';
import type { Db } from '../open-database.js';

/** For the tenants-by-status gauge of /metrics. */
export async function countTenantsByStatus(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('tenants')
    .select(['status', sql<number>`count(*)::int`.as('count')])
    .groupBy('status')
    .execute();
  return new Map(rows.map((r) => [r.status, r.count]));
}
