import { sql } from 'kysely';
import type { Db } from '../open-database.js';

export interface OutboxBacklog {
  /** Events some sink does not have yet. */
  undelivered: number;
  /** Of those, events whose last delivery attempt failed: a sink is down or refusing them. */
  failing: number;
  /** Age of the oldest undelivered event by the database clock; null when there is none. */
  oldestAgeSeconds: number | null;
}

/** For /metrics and health: a growing backlog or age means events are not getting through. */
export async function outboxBacklog(db: Db): Promise<OutboxBacklog> {
  const row = await db
    .selectFrom('outbox')
    .select([
      sql<number>`count(*)::int`.as('undelivered'),
      sql<number>`(count(*) filter (where attempts > 0))::int`.as('failing'),
      sql<number | null>`extract(epoch from now() - min(created_at))::float8`.as('oldestAgeSeconds'),
    ])
    .where('deliveredAt', 'is', null)
    .executeTakeFirstOrThrow();
  return { undelivered: row.undelivered, failing: row.failing, oldestAgeSeconds: row.oldestAgeSeconds };
}
