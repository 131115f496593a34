import { sql } from 'kysely';
import type { Db } from '../open-database.js';

export interface OutboxBackoff {
  /** Wait after the first failure; each further failure doubles it. */
  baseMs: number;
  capMs: number;
}

export interface RecordFailureInput {
  id: string;
  /** The ticket the claim returned: a relay whose lease was taken over writes nothing. */
  leaseUntil: Date;
  error: string;
  backoff: OutboxBackoff;
}

export interface RecordedFailure {
  attempts: number;
  nextAttemptAt: Date;
}

const MAX_ERROR_LENGTH = 2000;

/**
 * Records a failed delivery: attempts + 1, the error, and the next attempt at now() + backoff.
 * The time comes from the database clock, like the lease, so relays on machines whose clocks
 * disagree still agree on when an event is due. The backoff is base * 2^attempts (attempts
 * before this failure), capped; the exponent is capped too so that float8 cannot overflow.
 * Returns undefined when the lease was no longer ours (nothing written).
 */
export async function recordOutboxFailure(db: Db, input: RecordFailureInput): Promise<RecordedFailure | undefined> {
  const { baseMs, capMs } = input.backoff;
  return db
    .updateTable('outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      lastError: input.error.slice(0, MAX_ERROR_LENGTH),
      nextAttemptAt: sql<Date>`now() + least(${baseMs}::float8 * power(2::float8, least(attempts, 40)), ${capMs}::float8) * interval '1 millisecond'`,
    }))
    .where('id', '=', input.id)
    .where('deliveredAt', 'is', null)
    .where('nextAttemptAt', '=', input.leaseUntil)
    .returning(['attempts', 'nextAttemptAt'])
    .executeTakeFirst();
}
