import { sql } from 'kysely';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import type { Db } from './open-database.js';

// Any constant works; it only has to be the same in every replica.
const MIGRATION_LOCK_KEY = 724_001;

/**
 * Applies the numbered migrations not yet applied, each in its own transaction. Replicas that
 * start together queue on a transaction-scoped advisory lock, and each re-checks what is applied
 * once it holds it, so every migration runs exactly once.
 */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const applied: number[] = [];
  for (const migration of migrations) {
    const ran = await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(trx);
      await ensureMigrationsTable(trx);
      const done = await trx
        .selectFrom('schemaMigrations')
        .select('version')
        .where('version', '=', migration.version)
        .executeTakeFirst();
      if (done) return false;
      await sql.raw(migration.sql).execute(trx);
      await trx.insertInto('schemaMigrations').values({ version: migration.version, name: migration.name }).execute();
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}

/** True when every migration this build knows of is applied (the /ready check). */
export async function migrationsApplied(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<boolean> {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  const row = await sql<{ version: number | null }>`
    select max(version)::int as version from schema_migrations`.execute(db);
  return (row.rows[0]?.version ?? 0) >= latest;
}

async function ensureMigrationsTable(db: Db): Promise<void> {
  await sql`
    create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`.execute(db);
}
