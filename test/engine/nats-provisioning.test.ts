import { randomBytes } from 'node:crypto';
import { type NatsConnection, connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/domain/events.js';
import { StepName } from '../../src/domain/plans.js';
import { history, waitForJobEnd } from '../support/provisioning.js';
import { type TestApp, createTenantViaApi, startTestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';
import { answers } from '../support/tcp-probe.js';

/**
 * Acceptance (issue 5): "NATS for real: every event of a provisioning arrives once, in order for
 * the tenant." The engine runs with the NATS JetStream sink against the server at 127.0.0.1:4222,
 * provisions Professional tenants through the API, and the stream is read back with a client of
 * its own and compared with the outbox, which is what the relay was told to deliver.
 */

const NATS_HOST = '127.0.0.1';
const NATS_PORT = 4222;

const natsUp = await answers(NATS_HOST, NATS_PORT);
const suiteName = natsUp
  ? `provisioning with the NATS JetStream sink at ${NATS_HOST}:${NATS_PORT}`
  : `provisioning with the NATS JetStream sink (skipped: no NATS server answers at ${NATS_HOST}:${NATS_PORT}; start nats-server -js there to run it)`;

interface StoredMessage {
  seq: number;
  subject: string;
  headers: Record<string, string>;
  event: CloudEvent;
}

interface OutboxRow {
  eventId: string;
  aggregateType: string;
  aggregateId: string;
  type: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

describe.skipIf(!natsUp)(suiteName, () => {
  // A stream and subject prefix of this suite alone: files run in parallel.
  const suffix = randomBytes(4).toString('hex');
  const stream = `MATIH_PROV_${suffix}`;
  const prefix = `matih-prov-test.${suffix}`;
  let t: TestApp;
  let admin: NatsConnection;

  beforeAll(async () => {
    admin = await connect({ servers: `${NATS_HOST}:${NATS_PORT}`, timeout: 2000 });
    t = await startTestApp({
      engine: { events: { sinks: ['log', 'nats'], nats: { url: `nats://${NATS_HOST}:${NATS_PORT}`, stream, subjectPrefix: prefix } } },
    });
    // startTestApp runs the worker only; the service starts the relay beside it (app.ts listen()).
    t.engine?.relay.start();
  });
  afterAll(async () => {
    await t?.close();
    if (admin) {
      await (await admin.jetstreamManager()).streams.delete(stream).catch(() => undefined);
      await admin.drain();
    }
  });

  /** Every message of the stream in stream order, checked against the count the stream reports. */
  async function readStream(): Promise<StoredMessage[]> {
    const stored = (await (await admin.jetstreamManager()).streams.info(stream)).state.messages;
    const consumer = await admin.jetstream().consumers.get(stream);
    const read: StoredMessage[] = [];
    while (read.length < stored) {
      const batch = await consumer.fetch({ max_messages: stored - read.length, expires: 2000 });
      const before = read.length;
      for await (const message of batch) {
        const headers: Record<string, string> = {};
        for (const [key, values] of message.headers ?? []) headers[key] = values.join(',');
        read.push({ seq: message.seq, subject: message.subject, headers, event: message.json<CloudEvent>() });
      }
      if (read.length === before) throw new Error(`the stream reports ${stored} messages but only ${read.length} could be read`);
    }
    return read;
  }

  async function outboxOf(tenantId: string): Promise<OutboxRow[]> {
    return t.database.db
      .selectFrom('outbox')
      .select(['eventId', 'aggregateType', 'aggregateId', 'type', 'payload', 'createdAt'])
      .where('aggregateId', '=', tenantId)
      .orderBy('id')
      .execute();
  }

  async function undelivered(tenantIds: readonly string[]): Promise<number> {
    const rows = await t.database.db.selectFrom('outbox').select('eventId').where('aggregateId', 'in', [...tenantIds]).where('deliveredAt', 'is', null).execute();
    return rows.length;
  }

  it('stores every event of two concurrent Professional provisionings once, in outbox order per tenant, as CloudEvents 1.0', async () => {
    // Two at once, so the stream interleaves tenants and only the per-tenant order is the relay's promise.
    const created = await Promise.all([createTenantViaApi(t.app, { tier: 'PROFESSIONAL' }), createTenantViaApi(t.app, { tier: 'PROFESSIONAL' })]);
    const tenantIds = created.map((c) => c.id);
    for (const tenant of created) {
      const final = await waitForJobEnd(t.app, tenant.id, 60_000);
      expect(final, `the provisioning of ${tenant.slug}`).toMatchObject({ status: 'ACTIVE', job: { status: 'SUCCEEDED' } });
    }
    await waitFor(async () => ((await undelivered(tenantIds)) === 0 ? true : undefined), 20_000, 'the outbox of both tenants to be delivered');

    const messages = await readStream();
    // Nothing but these tenants' events reaches this stream, and none of them twice.
    const everyRow = (await Promise.all(tenantIds.map((id) => outboxOf(id)))).flat();
    expect(messages).toHaveLength(everyRow.length);
    expect(new Set(messages.map((m) => m.event.id)).size).toBe(messages.length);

    for (const tenant of created) {
      const rows = await outboxOf(tenant.id);
      const mine = messages.filter((m) => m.event.subject === `tenant/${tenant.id}`);

      // Exactly the outbox events of the tenant, in the order they were written.
      expect(mine.map((m) => m.event.id), `event ids of ${tenant.slug}`).toEqual(rows.map((r) => r.eventId));
      expect(mine.map((m) => m.seq)).toEqual([...mine.map((m) => m.seq)].sort((x, y) => x - y));

      // The provisioning's story: created, one step_completed per step the history completed, provisioned.
      const steps = (await history(t.app, tenant.id)).filter((h) => h.trigger === 'step.completed' && h.step !== StepName.ACTIVATE).map((h) => h.step);
      expect(steps.length).toBeGreaterThan(10);
      expect(mine.map((m) => (m.event.type === 'tenant.provisioning.step_completed' ? `step_completed ${String(m.event.data.step)}` : m.event.type))).toEqual([
        'tenant.created',
        ...steps.map((step) => `step_completed ${String(step)}`),
        'tenant.provisioned',
      ]);

      rows.forEach((row, i) => {
        const message = mine[i] as StoredMessage;
        // The CloudEvents 1.0 envelope, structured mode: the JSON body carries every attribute and the data.
        expect(message.event).toEqual({
          specversion: '1.0',
          id: row.eventId,
          source: '/matih/control-plane',
          type: row.type,
          subject: `tenant/${tenant.id}`,
          time: row.createdAt.toISOString(),
          datacontenttype: 'application/json',
          dataschemaversion: '1',
          data: row.payload,
        });
        expect(message.subject).toBe(`${prefix}.${row.type}`);
        // Nats-Msg-Id is what JetStream deduplicates a redelivery by; the ce- headers let consumers route without parsing.
        expect(message.headers).toMatchObject({
          'Nats-Msg-Id': row.eventId,
          'ce-id': row.eventId,
          'ce-type': row.type,
          'ce-source': '/matih/control-plane',
          'ce-specversion': '1.0',
          'ce-subject': `tenant/${tenant.id}`,
          'ce-dataschemaversion': '1',
          'content-type': 'application/cloudevents+json',
        });
      });
    }
  });
});
