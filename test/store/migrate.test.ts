import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrate, migrationsApplied } from '../../src/store/migrate.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { openDatabase } from '../../src/store/open-database.js';
import { createServerDatabase, dropServerDatabase, openTestDatabase } from '../support/databases.js';

describe('migrations', () => {
  it('apply every migration once, then nothing on the next start', async () => {
    const database = await openTestDatabase({ migrated: false });
    try {
      expect(await migrate(database.db)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await migrate(database.db)).toEqual([]);
      expect(await migrationsApplied(database.db)).toBe(true);
      const rows = await sql<{ version: number }>`select version from schema_migrations order by version`.execute(database.db);
      expect(rows.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await database.close();
    }
  });

  it('roll back a migration that fails part-way, leaving no half-applied schema', async () => {
    const database = await openTestDatabase({ migrated: false });
    try {
      const broken = { version: 999, name: 'broken', sql: 'create table half_done (id int); select * from no_such_table;' };
      await expect(migrate(database.db, [...MIGRATIONS, broken])).rejects.toThrow();
      const table = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name = 'half_done'`.execute(database.db);
      expect(table.rows[0]?.n).toBe(0);
      const versions = await sql<{ version: number }>`select version from schema_migrations`.execute(database.db);
      expect(versions.rows.map((r) => r.version)).not.toContain(999);
    } finally {
      await database.close();
    }
  });

  it('report pending migrations as not ready', async () => {
    const database = await openTestDatabase({ migrated: false });
    try {
      await migrate(database.db);
      expect(await migrationsApplied(database.db, [...MIGRATIONS, { version: 1000, name: 'future', sql: 'select 1' }])).toBe(false);
    } finally {
      await database.close();
    }
  });
});

describe('migrations on the PostgreSQL server with replicas starting together', () => {
  it('run exactly once when four replicas migrate at the same moment', async () => {
    const url = await createServerDatabase();
    const replicas = [1, 2, 3, 4].map(() => openDatabase({ kind: 'external', url, poolSize: 2 }));
    try {
      const applied = await Promise.all(replicas.map((r) => migrate(r.db)));
      expect(applied.flat().sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.version));
      for (const r of replicas) expect(await migrationsApplied(r.db)).toBe(true);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
      await dropServerDatabase(url);
    }
  });
});
