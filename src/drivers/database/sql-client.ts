/**
 * The little of a SQL session the tenant database functions need: one statement at a time, with
 * bind parameters, rows back. node-postgres's Client and PoolClient satisfy it as they are; so
 * does the session the composition root builds over Kysely (src/store/sql-session.ts), which is
 * how the same functions run on the embedded database.
 *
 * A statement without parameters may hold several statements separated by semicolons (the tenant
 * migrations do): node-postgres sends such text by the simple query protocol, and the PGlite
 * dialect runs it with exec().
 */
export interface SqlClient {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * Runs `work` on one session of its own for the whole call (no other caller's statements between
 * ours: a BEGIN ... COMMIT inside `work` must be ours alone), then gives the session back.
 */
export type SqlSessionProvider = <T>(work: (client: SqlClient) => Promise<T>) => Promise<T>;
