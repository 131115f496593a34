import type { SqlClient } from './sql-client.js';

/** Runs `work` in one transaction on `client`: commit on success, rollback (best effort) and rethrow on failure. */
export async function inTransaction<T>(client: SqlClient, work: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    const result = await work();
    await client.query('commit');
    return result;
  } catch (error) {
    // The original error matters; a failed rollback means the connection is gone anyway.
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}
