import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { DatabaseHealth } from './database-health.js';
import { preparingPool } from './prepared-statement.js';
import type { Schema } from './schema.js';

export type Db = Kysely<Schema>;

// Column names are mapped; keys inside JSON values (settings, outputs, payloads) are data, never renamed.
const camelCase = () => new CamelCasePlugin({ maintainNestedObjectKeys: true });

export interface Database {
  readonly db: Db;
  /** `embedded`: the server this process starts and supervises; `external`: DATABASE_URL. */
  readonly kind: DatabaseKind;
  /** The connection string the pool uses, for a session of its own (the progress listener's LISTEN). Never logged. */
  readonly url: string;
  /** Whether the database answers now (readiness). */
  readonly health: DatabaseHealth;
  close(): Promise<void>;
}

export type DatabaseKind = 'embedded' | 'external';

export interface DatabaseOptions {
  url: string;
  poolSize: number;
  kind: DatabaseKind;
  /** How long a request waits for a connection before failing as unavailable; default 5 s. */
  connectTimeoutMs?: number;
}

/**
 * A pool on a PostgreSQL server. Every client gets an error listener the moment it connects: a
 * session the server ends (pg_terminate_backend, a restart, a failover) emits `error` on its
 * client, and node-postgres only listens on idle ones, so an in-use client without a listener
 * would end the process. The statement in flight fails instead (the API answers 503, the engine
 * hands the job back), the pool drops the client, and readiness is false until a probe gets
 * through.
 */
export function openDatabase(options: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    application_name: 'matih-control-plane',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    keepAlive: true,
  });
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }), plugins: [camelCase()] });
  const health = new DatabaseHealth(async () => {
    await sql`select 1`.execute(db);
  });
  const lost = (error: Error) => health.reportUnavailable(`connection lost: ${error.message}`);
  pool.on('connect', (client) => client.on('error', lost));
  pool.on('error', lost);
  return {
    db,
    kind: options.kind,
    url: options.url,
    health,
    async close() {
      health.close();
      await db.destroy();
    },
  };
}
