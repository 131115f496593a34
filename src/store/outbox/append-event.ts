import type { Transaction } from 'kysely';
import { newId } from '../../domain/ids.js';
import { currentTraceparent } from '../../shared/tracing.js';
import type { Schema } from '../schema.js';

/**
 * Writes an event to the outbox inside the caller's transaction: the event exists if and only
 * if the change it announces was committed. The relay delivers it later, at least once, with the
 * trace context of the step or request writing it (when traced) as its `traceparent`.
 */
export async function appendEvent(trx: Transaction<Schema>, tenantId: string, type: string, payload: Record<string, unknown>): Promise<void> {
  await trx
    .insertInto('outbox')
    .values({ eventId: newId(), aggregateType: 'tenant', aggregateId: tenantId, type, payload: JSON.stringify(payload), traceParent: currentTraceparent() ?? null })
    .execute();
}
