import type { Transaction } from 'kysely';
import { isConflictError } from './database-errors.js';
import type { Db } from './open-database.js';
import type { Schema } from './schema.js';

/**
 * One transaction for a request, run once more when PostgreSQL gave up on it for a conflict with
 * another (a deadlock, 40P01, or a serialization failure, 40001): it rolled back whole, so running
 * it again is safe, and the second run usually finds the other transaction gone. A second conflict
 * is the caller's 503 (api/problem.ts); nothing else is retried (a refusal on the merits stands,
 * and a connection lost during COMMIT may have committed).
 *
 * Locks are taken in one order everywhere, so conflicts are rare: the tenant row first, then its
 * job, then its declaration (store/engine/guard.ts takes the tenant's lock for the worker too).
 */
export async function transaction<T>(db: Db, work: (trx: Transaction<Schema>) => Promise<T>): Promise<T> {
  try {
    return await db.transaction().execute(work);
  } catch (error) {
    if (!isConflictError(error)) throw error;
    return db.transaction().execute(work);
  }
}

/**
 * Several reads that must agree with each other, in one read-only REPEATABLE READ transaction:
 * each sees the database as of the same moment. Reads sent at once on separate sessions do not
 * (a job claimed between two of them shows a lease on one and no running job on the other).
 */
export async function oneSnapshot<T>(db: Db, read: (trx: Transaction<Schema>) => Promise<T>): Promise<T> {
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read);
}
