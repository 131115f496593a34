import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/domain/events.js';
import { newId } from '../../src/domain/ids.js';
import type { EventSink } from '../../src/drivers/contract.js';
import { OutboxRelay, type OutboxRelayOptions } from '../../src/engine/outbox-relay.js';
import { type Database, openDatabase } from '../../src/store/open-database.js';
import { claimOutboxEvents } from '../../src/store/outbox/claim-outbox-events.js';
import { outboxBacklog } from '../../src/store/outbox/outbox-backlog.js';
import { recordOutboxFailure } from '../../src/store/outbox/record-outbox-failure.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import {
  RecordingSink, byTenant, dbNow, insertInterleaved, insertOutboxEvents, makeAllDue, undeliveredCount, waitFor,
} from '../support/outbox.js';

const logger = pino({ level: 'silent' });
const HOUR = 3_600_000;

describe('outbox relay', () => {
  let database: TestDatabase;
  const relay = (sinks: EventSink[], options: Partial<OutboxRelayOptions> = {}) =>
    new OutboxRelay({ db: database.db, sinks, logger, ...options });
  const drain = async (r: OutboxRelay): Promise<number> => {
    let total = 0;
    for (let n = await r.drainOnce(); n > 0; n = await r.drainOnce()) total += n;
    return total;
  };

  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    // Each test starts from an empty outbox: a leftover blocked event would change what is due.
    await database.db.deleteFrom('outbox').execute();
  });

  it('delivers every event once to every sink, in order per tenant, across tenants', async () => {
    const written = await insertInterleaved(database.db, 5, 6);
    const first = new RecordingSink('first');
    const second = new RecordingSink('second');
    // Random delays would reorder a tenant's events if two of them were ever delivered at once.
    first.delayMs = 3;
    expect(await drain(relay([first, second]))).toBe(30);

    for (const sink of [first, second]) {
      expect(sink.accepted).toHaveLength(30);
      expect(new Set(sink.accepted.map((e) => e.id)).size).toBe(30);
      expect(byTenant(sink.accepted)).toEqual(written);
    }
    const sample = first.accepted[0] as CloudEvent;
    expect(sample).toMatchObject({ specversion: '1.0', source: '/matih/control-plane', type: 'tenant.settings.changed', datacontenttype: 'application/json' });
    expect(sample.subject).toMatch(/^tenant\/[0-9a-f-]{36}$/);
    expect(await undeliveredCount(database.db)).toBe(0);
    expect(await outboxBacklog(database.db)).toEqual({ undelivered: 0, failing: 0, oldestAgeSeconds: null });
  });

  it('holds back only the failing tenant, then delivers its events in order once the sink recovers', async () => {
    const [blocked, flowing] = [newId(), newId()];
    const blockedIds = await insertOutboxEvents(database.db, blocked, 3);
    const flowingIds = await insertOutboxEvents(database.db, flowing, 3);
    const sink = new RecordingSink();
    sink.failWhen = (e) => e.subject.endsWith(blocked);
    const r = relay([sink], { backoff: { baseMs: 20, capMs: 40 } });

    await drain(r);
    expect(byTenant(sink.accepted)).toEqual(new Map([[flowing, flowingIds]]));
    // Only the blocked tenant's oldest event was tried; the later ones waited untouched.
    expect(new Set(sink.failures.map((e) => e.id))).toEqual(new Set([blockedIds[0]]));
    const rows = await database.db.selectFrom('outbox').select(['eventId', 'attempts', 'lastError', 'deliveredAt']).where('aggregateId', '=', blocked).orderBy('id').execute();
    expect(rows[0]).toMatchObject({ eventId: blockedIds[0], lastError: 'recording: receiver down', deliveredAt: null });
    expect(rows[0]?.attempts).toBeGreaterThanOrEqual(1);
    expect(rows.slice(1).map((row) => [row.attempts, row.deliveredAt])).toEqual([[0, null], [0, null]]);
    expect(await outboxBacklog(database.db)).toMatchObject({ undelivered: 3, failing: 1 });

    sink.failWhen = () => false;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await drain(r);
    expect(byTenant(sink.accepted)).toEqual(new Map([[flowing, flowingIds], [blocked, blockedIds]]));
    expect(await undeliveredCount(database.db)).toBe(0);
  });

  it('records attempts, the last error and an exponential backoff from the database clock, capped', async () => {
    const [eventId] = await insertOutboxEvents(database.db, newId(), 1);
    const sink = new RecordingSink('hook');
    sink.failWhen = () => true;
    const r = relay([sink], { backoff: { baseMs: HOUR, capMs: 4 * HOUR } });

    for (const [attempts, backoffMs] of [[1, HOUR], [2, 2 * HOUR], [3, 4 * HOUR], [4, 4 * HOUR]] as const) {
      await makeAllDue(database.db);
      const before = await dbNow(database.db);
      expect(await r.drainOnce()).toBe(0);
      const after = await dbNow(database.db);
      const row = await database.db.selectFrom('outbox').selectAll().where('eventId', '=', eventId ?? '').executeTakeFirstOrThrow();
      expect(row).toMatchObject({ attempts, lastError: 'hook: receiver down', deliveredAt: null });
      expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before.getTime() + backoffMs);
      expect(row.nextAttemptAt.getTime()).toBeLessThanOrEqual(after.getTime() + backoffMs);
      // Not due before its time: nothing is claimed.
      expect(await r.drainOnce()).toBe(0);
    }
    expect(sink.failures).toHaveLength(4);
    const backlog = await outboxBacklog(database.db);
    expect(backlog).toMatchObject({ undelivered: 1, failing: 1 });
    expect(backlog.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
  });

  it('claims one event per tenant, and a relay whose lease was taken over writes nothing', async () => {
    const tenant = newId();
    await insertOutboxEvents(database.db, tenant, 3);
    const [claimed] = await claimOutboxEvents(database.db, { limit: 10, leaseMs: 60_000 });
    expect(claimed).toBeDefined();
    // Leased: neither it nor the tenant's later events are due.
    expect(await claimOutboxEvents(database.db, { limit: 10, leaseMs: 60_000 })).toEqual([]);

    await makeAllDue(database.db); // the lease ran out; another relay takes the event over
    const [again] = await claimOutboxEvents(database.db, { limit: 10, leaseMs: 60_000 });
    expect(again?.id).toBe(claimed?.id);
    const stale = await recordOutboxFailure(database.db, { id: claimed?.id ?? '', leaseUntil: claimed?.leaseUntil ?? new Date(), error: 'late', backoff: { baseMs: 1, capMs: 1 } });
    expect(stale).toBeUndefined();
    const current = await recordOutboxFailure(database.db, { id: again?.id ?? '', leaseUntil: again?.leaseUntil ?? new Date(), error: 'now', backoff: { baseMs: 1, capMs: 1 } });
    expect(current).toMatchObject({ attempts: 1 });
  });

  it('cuts off a delivery that outlives half its lease and records it as failed', async () => {
    await insertOutboxEvents(database.db, newId(), 1);
    const hanging: EventSink = { name: 'hang', deliver: () => new Promise<void>(() => undefined) };
    const started = Date.now();
    expect(await relay([hanging], { leaseMs: 400 }).drainOnce()).toBe(0);
    expect(Date.now() - started).toBeLessThan(2000);
    const row = await database.db.selectFrom('outbox').select(['attempts', 'lastError']).executeTakeFirstOrThrow();
    expect(row.attempts).toBe(1);
    expect(row.lastError).toMatch(/^hang: .*time/i);
  });

  it('polls on its own, runs early on wake(), and stop() waits for the batch in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    const slow: EventSink = { name: 'slow', deliver: async () => { entered = true; await gate; } };
    const r = relay([slow], { pollMs: 60_000 });
    r.start();
    await insertOutboxEvents(database.db, newId(), 1);
    r.wake();
    await waitFor(() => entered, 5000, 'the delivery to start');

    let stopped = false;
    const stopping = r.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(await undeliveredCount(database.db)).toBe(0);
  });

  it("delivers a tenant's queued events one after another at once, not one per poll", async () => {
    const [first, second] = [newId(), newId()];
    const firstIds = await insertOutboxEvents(database.db, first, 4);
    const secondIds = await insertOutboxEvents(database.db, second, 2);
    const sink = new RecordingSink();
    // Each delivery makes the tenant's next event due; the relay must look again without waiting the minute.
    const r = relay([sink], { pollMs: 60_000 });
    r.start();
    r.wake();
    try {
      await waitFor(async () => (await undeliveredCount(database.db)) === 0, 10_000, 'every event to be delivered');
    } finally {
      await r.stop();
    }
    expect(byTenant(sink.accepted)).toEqual(new Map([[first, firstIds], [second, secondIds]]));
  });

  it('never lets two relays deliver the same event at once, and each event arrives exactly once', async () => {
    const written = await insertInterleaved(database.db, 8, 8);
    // The second relay has its own pool, as a second replica would.
    const other: Database = openDatabase({ kind: 'external', url: database.url, poolSize: 4 });
    try {
      const sink = new RecordingSink();
      sink.delayMs = 5;
      const relays = [
        new OutboxRelay({ db: database.db, sinks: [sink], logger, pollMs: 10, batchSize: 3 }),
        new OutboxRelay({ db: other.db, sinks: [sink], logger, pollMs: 10, batchSize: 3 }),
      ];
      for (const r of relays) r.start();
      await waitFor(async () => (await undeliveredCount(database.db)) === 0, 20_000, 'every event to be delivered');
      await Promise.all(relays.map((r) => r.stop()));

      expect(sink.overlaps).toEqual([]);
      expect(sink.accepted).toHaveLength(64);
      expect(new Set(sink.accepted.map((e) => e.id)).size).toBe(64);
      expect(byTenant(sink.accepted)).toEqual(written);
    } finally {
      await other.close();
    }
  });
});
