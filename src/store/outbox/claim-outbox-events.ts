import type { OutboxEvent } from '../../domain/events.js';
import type { Db } from '../open-database.js';
import { preparedStatement } from '../prepared-statement.js';

/** A claimed event: `leaseUntil` is both the lease's end and the ticket that proves it is ours. */
export interface ClaimedOutboxEvent extends OutboxEvent {
  leaseUntil: Date;
  /** Whether the same aggregate has a later undelivered event, which delivering this one makes due. */
  hasNext: boolean;
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
 * can serve as a compare-and-set ticket (recordOutboxFailure). bigserial ids come back as text,
 * the form every caller compares and stores.
 */
export async function claimOutboxEvents(db: Db, options: ClaimOptions): Promise<ClaimedOutboxEvent[]> {
  const { rows } = await db.executeQuery(CLAIM.compile({ leaseMs: options.leaseMs, limit: options.limit }));
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
      hasNext: r.hasNext,
      traceParent: r.traceParent,
    }))
    .sort((a, b) => compareIds(a.id, b.id));
}

interface ClaimedRow extends Omit<ClaimedOutboxEvent, 'leaseUntil'> {
  nextAttemptAt: Date;
}

// A prepared statement (prepared-statement.ts): the relay claims after every create that wakes it.
// `has_next`: whether the aggregate has a later undelivered event, due once this one is delivered.
const CLAIM = preparedStatement<{ leaseMs: number; limit: number }, ClaimedRow>(
  (p) => `
update outbox set next_attempt_at = date_trunc('milliseconds', now() + ${p('leaseMs')}::float8 * interval '1 millisecond')
where id in (
  select o.id from outbox as o
  where o.delivered_at is null and o.next_attempt_at <= now()
    and not exists (select 1 from outbox as e where e.aggregate_id = o.aggregate_id and e.delivered_at is null and e.id < o.id)
  order by o.id
  limit ${p('limit')}
  for update skip locked
)
returning id::text as id, event_id, aggregate_type, aggregate_id, type, payload, created_at, attempts, next_attempt_at, trace_parent,
  exists (select 1 from outbox as n where n.aggregate_id = outbox.aggregate_id and n.delivered_at is null and n.id > outbox.id) as has_next`,
);

/** Outbox ids are bigints in text: compare by length first, then lexically. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
