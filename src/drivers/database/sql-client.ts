/**
 * The little of a SQL session the tenant database functions need: one statement at a time, with
 * bind parameters, rows back. node-postgres's Client and PoolClient satisfy it as they are.
 *
 * A statement without parameters may hold several statements separated by semicolons (the setup
 * scripts do, tenant-setup-script.ts): node-postgres sends such text by the simple query protocol,
 * in one message, and then answers an array of results, one per statement (scriptResults).
 */
export interface SqlClient {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

