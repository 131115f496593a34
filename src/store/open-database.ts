import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type DataDirLock, lockDataDir } from './data-dir-lock.js';
import { PGliteDialect, PGliteGate } from './pglite-dialect.js';
import type { Schema } from './schema.js';

export type Db = Kysely<Schema>;

// Column names are mapped; keys inside JSON values (settings, outputs, payloads) are data, never renamed.
const camelCase = () => new CamelCasePlugin({ maintainNestedObjectKeys: true });

export interface Database {
  /** For requests someone is waiting on (the API). */
  readonly db: Db;
  /**
   * The same database for background work (the engine, the relay). On PGlite its queries wait
   * behind the API's for the one session (pglite-dialect.ts); on a server it is `db`.
   */
  readonly backgroundDb: Db;
  /** `pglite`: embedded, one process; `postgres`: a server shared by any number of replicas. */
  readonly kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { kind: 'postgres'; url: string; poolSize: number }
  /** dataDir undefined: in memory (tests). */
  | { kind: 'pglite'; dataDir: string | undefined };

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.kind === 'postgres' ? openPostgres(options.url, options.poolSize) : openPGlite(options.dataDir);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'matih-control-plane' });
  // An idle client that errors (server restart) must not crash the process; the pool drops it.
  pool.on('error', () => {});
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }), plugins: [camelCase()] });
  return {
    db,
    backgroundDb: db,
    kind: 'postgres',
    close: () => db.destroy(),
  };
}

async function openPGlite(dataDir: string | undefined): Promise<Database> {
  let lock: DataDirLock | undefined;
  if (dataDir !== undefined) lock = lockDataDir(dataDir);
  try {
    const client = await PGlite.create(dataDir === undefined ? undefined : path.join(dataDir, 'pgdata'));
    const gate = new PGliteGate();
    const db = new Kysely<Schema>({ dialect: new PGliteDialect(client, gate, 'foreground'), plugins: [camelCase()] });
    const backgroundDb = new Kysely<Schema>({ dialect: new PGliteDialect(client, gate, 'background'), plugins: [camelCase()] });
    return {
      db,
      backgroundDb,
      kind: 'pglite',
      async close() {
        try {
          await backgroundDb.destroy();
          await db.destroy();
          await client.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}
