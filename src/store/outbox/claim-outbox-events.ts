import { sql } from 'kysely';
import type { OutboxEvent } from '../../domain/events.js';
import type { Db } from '../open-database.js';

/** A claimed event: `leaseUntil` is both the lease's end and the ticket that proves it is ours. */
export interface ClaimedOutboxEvent extends OutboxEvent {
  leaseUntil: Date;
}

export interface ClaimOptions {
  limit: number;
  /** How long the claim keeps other relays away from the events; delivery must end well before. */
  leaseMs: number;
}

/**
 * Claims up to `limit` due events, at most one per tenant: the oldest undelivered event of each
 * tenant (no earlier undelivered event of the same aggregate exists), so delivery is in order per
 * tenant even with several relays on one database.
 *
 * The claim is a lease, not a held transaction: one statement locks the candidates with FOR
 * UPDATE SKIP LOCKED (two relays claiming at once never get the same row) and moves their
 * next_attempt_at to the end of the lease (later claims do not see them as due), then commits.
 * Delivery happens outside any transaction, because a webhook may take seconds: an open
 * transaction would pin a connection and hold back vacuum. A relay that dies mid-delivery loses nothing: the
 * event becomes due again when the lease ends and is delivered again (at least once).
 *
 * The lease end is truncated to milliseconds so that it survives the trip through a JS Date and
 * can serve as a compare-and-set ticket (recordOutboxFailure).
 */
export async function claimOutboxEvents(db: Db, options: ClaimOptions): Promise<ClaimedOutboxEvent[]> {
  const rows = await db
    .updateTable('outbox')
    .set({ nextAttemptAt: sql<Date>`date_trunc('milliseconds', now() + ${options.leaseMs} * interval '1 millisecond')` })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('outbox as o')
        .select('o.id')
        .where('o.deliveredAt', 'is', null)
        .where('o.nextAttemptAt', '<=', sql<Date>`now()`)
        .where((w) =>
          w.not(
            w.exists(
              w
                .selectFrom('outbox as e')
                .select(sql<number>`1`.as('one'))
                .whereRef('e.aggregateId', '=', 'o.aggregateId')
                .where('e.deliveredAt', 'is', null)
                .whereRef('e.id', '<', 'o.id'),
            ),
          ),
        )
        .orderBy('o.id')
        .limit(options.limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning([
      // bigserial: ask for text, the form every caller compares and stores.
      sql<string>`id::text`.as('id'),
      'eventId',
      'aggregateType',
      'aggregateId',
      'type',
      'payload',
      'createdAt',
      'attempts',
      'nextAttemptAt',
    ])
    .execute();
  return rows
    .map((r) => ({
      id: r.id,
      eventId: r.eventId,
      aggregateType: r.aggregateType,
      aggregateId: r.aggregateId,
      type: r.type,
      payload: r.payload,
      createdAt: r.createdAt,
      attempts: r.attempts,
      leaseUntil: r.nextAttemptAt,
    }))
    .sort((a, b) => compareIds(a.id, b.id));
}

/** Outbox ids are bigints in text: compare by length first, then lexically. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
