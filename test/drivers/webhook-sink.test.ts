import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/domain/events.js';
import { newId } from '../../src/domain/ids.js';
import { signWebhookPayload } from '../../src/drivers/events/webhook-signature.js';
import { WebhookSink, verifyWebhookSignature } from '../../src/drivers/events/webhook-sink.js';
import { OutboxRelay } from '../../src/engine/outbox-relay.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import { byTenant, insertInterleaved, insertOutboxEvents, undeliveredCount, waitFor } from '../support/outbox.js';

const SECRET = 'webhook-test-secret-0123456789';
const logger = pino({ level: 'silent' });

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  validSignature: boolean;
}

/** A webhook receiver on loopback that answers `status` and checks every signature. */
class Receiver {
  readonly received: Received[] = [];
  status = 204;
  port = 0;
  private server: Server | undefined;

  get accepted(): CloudEvent[] {
    return this.received.flatMap((r) => (r.validSignature ? [JSON.parse(r.body) as CloudEvent] : []));
  }

  async listen(port = this.port): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const validSignature = verifyWebhookSignature(SECRET, header(req.headers['x-matih-timestamp']), body, header(req.headers['x-matih-signature']));
        if (this.status < 300) this.received.push({ headers: req.headers, body, validSignature });
        res.writeHead(validSignature ? this.status : 401).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

describe('webhook signatures', () => {
  const body = '{"id":"e1"}';
  const now = 1_800_000_000;
  const signature = signWebhookPayload(SECRET, now, body);

  it('accepts the signature of the body at its timestamp', () => {
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, String(now), body, signature, { nowSeconds: now + 10 })).toBe(true);
  });

  it('refuses another secret, a changed body or timestamp, a malformed header and an old request', () => {
    expect(verifyWebhookSignature('another-secret-0123456789', now, body, signature, { nowSeconds: now })).toBe(false);
    expect(verifyWebhookSignature(SECRET, now, '{"id":"e2"}', signature, { nowSeconds: now })).toBe(false);
    expect(verifyWebhookSignature(SECRET, now + 1, body, signature, { nowSeconds: now })).toBe(false);
    expect(verifyWebhookSignature(SECRET, now, body, 'sha256=abc', { nowSeconds: now })).toBe(false);
    expect(verifyWebhookSignature(SECRET, now, body, undefined, { nowSeconds: now })).toBe(false);
    expect(verifyWebhookSignature(SECRET, 'yesterday', body, signature, { nowSeconds: now })).toBe(false);
    // A captured request replayed later: the signature is still right, the timestamp too old.
    expect(verifyWebhookSignature(SECRET, now, body, signature, { nowSeconds: now + 301 })).toBe(false);
    expect(verifyWebhookSignature(SECRET, now, body, signature, { nowSeconds: now + 3600, toleranceSeconds: 7200 })).toBe(true);
  });
});

describe('webhook sink through the relay', () => {
  let database: TestDatabase;
  let receiver: Receiver;
  let relay: OutboxRelay;

  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    await database.db.deleteFrom('outbox').execute();
    receiver = new Receiver();
    await receiver.listen();
    const sink = new WebhookSink({ url: `http://127.0.0.1:${receiver.port}/hooks/matih`, secret: SECRET, logger, timeoutMs: 2000 });
    relay = new OutboxRelay({ db: database.db, sinks: [sink], logger, pollMs: 20, backoff: { baseMs: 30, capMs: 60 } });
  });
  afterEach(async () => {
    await relay.stop();
    await receiver.close();
  });

  it('posts every event as a signed CloudEvent, in order per tenant', async () => {
    const written = await insertInterleaved(database.db, 3, 4);
    while ((await relay.drainOnce()) > 0);

    expect(receiver.received).toHaveLength(12);
    for (const r of receiver.received) {
      expect(r.validSignature).toBe(true);
      expect(r.headers['content-type']).toBe('application/cloudevents+json');
      expect(r.headers['x-matih-event-id']).toBe((JSON.parse(r.body) as CloudEvent).id);
      expect(Number(r.headers['x-matih-timestamp'])).toBeCloseTo(Date.now() / 1000, -2);
    }
    expect(byTenant(receiver.accepted)).toEqual(written);
    expect(receiver.accepted[0]).toMatchObject({ specversion: '1.0', type: 'tenant.settings.changed', dataschemaversion: '1' });
  });

  it('retries while the receiver answers 503 and delivers once it is back', async () => {
    const tenant = newId();
    const ids = await insertOutboxEvents(database.db, tenant, 2);
    receiver.status = 503;
    expect(await relay.drainOnce()).toBe(0);
    const failed = await database.db.selectFrom('outbox').select(['attempts', 'lastError', 'deliveredAt']).where('eventId', '=', ids[0] ?? '').executeTakeFirstOrThrow();
    expect(failed).toMatchObject({ attempts: 1, deliveredAt: null });
    expect(failed.lastError).toBe(`webhook: webhook 127.0.0.1:${receiver.port} answered 503`);

    receiver.status = 200;
    relay.start();
    await waitFor(async () => (await undeliveredCount(database.db)) === 0, 10_000, 'redelivery');
    expect(byTenant(receiver.accepted)).toEqual(new Map([[tenant, ids]]));
  });

  it('keeps retrying a receiver that refuses the request (4xx) instead of dropping the event', async () => {
    const [eventId] = await insertOutboxEvents(database.db, newId(), 1);
    receiver.status = 400;
    expect(await relay.drainOnce()).toBe(0);
    const row = await database.db.selectFrom('outbox').select(['attempts', 'lastError', 'deliveredAt']).where('eventId', '=', eventId ?? '').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ attempts: 1, deliveredAt: null });
    expect(row.lastError).toContain('answered 400');
  });

  it('redelivers after the receiver was down (connection refused)', async () => {
    const tenant = newId();
    const ids = await insertOutboxEvents(database.db, tenant, 3);
    await receiver.close();
    expect(await relay.drainOnce()).toBe(0);
    const row = await database.db.selectFrom('outbox').select(['attempts', 'lastError']).where('eventId', '=', ids[0] ?? '').executeTakeFirstOrThrow();
    expect(row.attempts).toBe(1);
    expect(row.lastError).toContain('ECONNREFUSED');

    await receiver.listen(receiver.port);
    relay.start();
    await waitFor(async () => (await undeliveredCount(database.db)) === 0, 10_000, 'redelivery');
    expect(receiver.received.every((r) => r.validSignature)).toBe(true);
    expect(byTenant(receiver.accepted)).toEqual(new Map([[tenant, ids]]));
  });
});
