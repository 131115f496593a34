import type { Migration } from './migration.js';

/**
 * The audit archive in the control-plane database (drivers/archive/database-archive-store.ts), the
 * default store: every replica reads what any replica wrote, where a directory is each replica's
 * own unless it is shared storage. Written once per key (a resumed deletion writes the same key
 * again, replacing it only with other bytes), never updated otherwise; no foreign key, because
 * the archive outlives the tenant's tombstone.
 */
export const archiveObjects: Migration = {
  version: 10,
  name: 'archive-objects',
  sql: `
create table archive_objects (
  key text primary key,
  body bytea not null,
  sha256 text not null,
  created_at timestamptz not null default now()
);
`,
};
