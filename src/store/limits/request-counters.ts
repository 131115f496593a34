import { sql } from 'kysely';
import type { Db } from '../open-database.js';

/** A hit to count on `key`, whose window (when this hit starts one) lasts `windowMs`. */
export interface CounterHit {
  key: string;
  windowMs: number;
}

/** A counter as it stands: hits in its current window, and how long until that window ends. */
export interface CounterState {
  key: string;
  count: number;
  /** Milliseconds until the window ends, by the database's clock (the same for every replica). */
  ttlMs: number;
}

/**
 * Counts a hit on each of `hits` in one statement (the one a rate-limited request costs). Fixed
 * windows, one row per key: the first hit starts a window of its `windowMs`, later hits add one
 * until `window_end`, and the first hit after it starts the next window at 1. Concurrent hits on a
 * key queue on its row, so replicas never lose a count; keys are taken in sorted order, so two
 * statements sharing keys cannot deadlock. Returns each hit's counter after it, in no particular order.
 */
export async function countHits(db: Db, hits: readonly CounterHit[]): Promise<CounterState[]> {
  if (hits.length === 0) return [];
  const unique = [...new Map(hits.map((h) => [h.key, h])).values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const keys = unique.map((h) => h.key);
  const windows = unique.map((h) => Math.max(1, Math.round(h.windowMs)));
  const { rows } = await sql<{ key: string; count: number; ttlMs: number }>`
    insert into request_counters as c (key, count, window_end)
    select h.key, 1, now() + h.window_ms * interval '1 millisecond'
    from unnest(${keys}::text[], ${windows}::int[]) as h(key, window_ms)
    order by h.key
    on conflict (key) do update set
      count = case when c.window_end <= now() then 1 else c.count + 1 end,
      window_end = case when c.window_end <= now() then excluded.window_end else c.window_end end
    returning c.key, c.count, ${TTL_MS('c')} as ttl_ms
  `.execute(db);
  return rows.map((r) => ({ key: r.key, count: r.count, ttlMs: Math.max(0, r.ttlMs) }));
}

/** Milliseconds from now until the window of the row `alias` ends. */
const TTL_MS = (alias: 'c' | 'p') => sql`ceil(extract(epoch from ${sql.ref(`${alias}.window_end`)} - now()) * 1000)::int`;

/** A counter without counting it, while its window is open. */
export async function readCounter(db: Db, key: string): Promise<CounterState | undefined> {
  const { rows } = await sql<{ count: number; ttlMs: number }>`
    select p.count, ${TTL_MS('p')} as ttl_ms from request_counters p where p.key = ${key} and p.window_end > now()
  `.execute(db);
  const row = rows[0];
  return row ? { key, count: row.count, ttlMs: Math.max(0, row.ttlMs) } : undefined;
}

/** Counters whose window has ended: the next hit would start over anyway. */
export async function purgeEndedCounters(db: Db): Promise<number> {
  const result = await db.deleteFrom('requestCounters').where('windowEnd', '<=', sql<Date>`now()`).executeTakeFirst();
  return Number(result.numDeletedRows);
}
