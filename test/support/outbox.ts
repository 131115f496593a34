import { sql } from 'kysely';
import type { CloudEvent } from '../../src/domain/events.js';
import { newId } from '../../src/domain/ids.js';
import { DriverError, type EventSink } from '../../src/drivers/contract.js';
import type { Db } from '../../src/store/open-database.js';

/** Writes events the way the store does (one outbox row each) and returns their event ids. */
export async function insertOutboxEvents(
  db: Db,
  tenantId: string,
  count: number,
  payload: (i: number) => Record<string, unknown> = (i) => ({ tenantId, n: i }),
  type = 'tenant.settings.changed',
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const eventId = newId();
    await db
      .insertInto('outbox')
      .values({ eventId, aggregateType: 'tenant', aggregateId: tenantId, type, payload: JSON.stringify(payload(i)) })
      .execute();
    ids.push(eventId);
  }
  return ids;
}

/** Several tenants' events, interleaved as concurrent requests would write them; by tenant. */
export async function insertInterleaved(db: Db, tenants: number, perTenant: number): Promise<Map<string, string[]>> {
  const byTenant = new Map<string, string[]>();
  const tenantIds = Array.from({ length: tenants }, () => newId());
  for (let i = 0; i < perTenant; i++) {
    for (const tenantId of tenantIds) {
      const [eventId] = await insertOutboxEvents(db, tenantId, 1, () => ({ tenantId, n: i }));
      byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), eventId ?? '']);
    }
  }
  return byTenant;
}

export async function undeliveredCount(db: Db): Promise<number> {
  const row = await db.selectFrom('outbox').select(sql<number>`count(*)::int`.as('n')).where('deliveredAt', 'is', null).executeTakeFirstOrThrow();
  return row.n;
}

export async function dbNow(db: Db): Promise<Date> {
  const result = await sql<{ now: Date }>`select now() as now`.execute(db);
  const now = result.rows[0]?.now;
  if (!now) throw new Error('no now()');
  return now;
}

/** Makes every undelivered event due now, as if its backoff had passed. */
export async function makeAllDue(db: Db): Promise<void> {
  await db.updateTable('outbox').set({ nextAttemptAt: sql<Date>`now()` }).where('deliveredAt', 'is', null).execute();
}

export async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Events per tenant (the tenant id is the subject's last part), in the order received. */
export function byTenant(events: readonly CloudEvent[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const e of events) {
    const tenantId = e.subject.split('/').pop() ?? '';
    result.set(tenantId, [...(result.get(tenantId) ?? []), e.id]);
  }
  return result;
}

/**
 * A sink that records what it accepted, can be made to fail for chosen events, and notices when
 * one event is being delivered twice at the same time (by two relays).
 */
export class RecordingSink implements EventSink {
  readonly accepted: CloudEvent[] = [];
  readonly failures: CloudEvent[] = [];
  readonly overlaps: string[] = [];
  failWhen: (event: CloudEvent) => boolean = () => false;
  delayMs = 0;
  private readonly inFlight = new Set<string>();

  constructor(readonly name = 'recording') {}

  async deliver(event: CloudEvent): Promise<void> {
    if (this.inFlight.has(event.id)) this.overlaps.push(event.id);
    this.inFlight.add(event.id);
    try {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, Math.random() * this.delayMs));
      if (this.failWhen(event)) {
        this.failures.push(event);
        throw new DriverError('receiver down', true);
      }
      this.accepted.push(event);
    } finally {
      this.inFlight.delete(event.id);
    }
  }
}
