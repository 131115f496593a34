import type { Migration } from './migration.js';

/**
 * Counters of requests and failures in fixed windows, shared by every replica
 * (store/limits/request-counters.ts): the per-credential and per-tenant rate limits, and the
 * lockouts after failed sign-ins and wrong deletion codes. One row per key, its window started by
 * the first hit and ended at `window_end`; a hit after that starts the next window in the same row.
 * Unlogged: no WAL for a row written on every request. A crash of the server empties it (every
 * window starts again) and standbys do not have it, both acceptable for counters that live
 * minutes. The fill factor leaves room on each page for the updates to stay HOT (no index holds
 * `count` or `window_end`). Housekeeping deletes rows whose window has ended.
 */
export const requestCounters: Migration = {
  version: 11,
  name: 'request-counters',
  sql: `
create unlogged table request_counters (
  key text primary key,
  count integer not null,
  window_end timestamptz not null
) with (fillfactor = 70);
`,
};
