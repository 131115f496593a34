import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { type CloudEvent, EventType, toCloudEvent } from '../../src/domain/events.js';
import { newId } from '../../src/domain/ids.js';
import { buildEventSinks } from '../../src/drivers/build-event-delivery.js';
import { DriverError } from '../../src/drivers/contract.js';
import { signWebhook } from '../../src/drivers/events/webhook-signature.js';
import { WebhookSink } from '../../src/drivers/events/webhook-sink.js';
import { OutboxRelay } from '../../src/engine/outbox-relay.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import { byTenant, insertInterleaved, insertOutboxEvents, undeliveredCount, waitFor } from '../support/outbox.js';
import { type WebhookRequest, WebhookReceiver, standardWebhook, verifiesWith } from '../support/webhook-receiver.js';

/**
 * The webhook sink's deliveries, verified as receivers verify them: with the Standard Webhooks
 * reference implementation (npm `standardwebhooks`), on a real HTTP receiver on loopback.
 */

const whsec = (bytes = 32): string => `whsec_${randomBytes(bytes).toString('base64')}`;
const SECRET = whsec();
const NEW_SECRET = whsec();
const OLD_SECRET = whsec(24);
/** A secret from before Standard Webhooks: no prefix, its UTF-8 bytes are the key. */
const LEGACY_SECRET = 'webhook-test-secret-0123456789';
const logger = pino({ level: 'silent' });

function cloudEvent(data: Record<string, unknown> = { name: 'Acme GmbH', note: 'grüße' }): CloudEvent {
  return toCloudEvent({
    id: '1', eventId: newId(), aggregateType: 'tenant', aggregateId: newId(), type: EventType.TENANT_CREATED,
    payload: data, createdAt: new Date(), attempts: 0,
  });
}

/** The headers of a captured request, as a receiver hands them to the library, with changes. */
function headersOf(request: WebhookRequest, changes: Record<string, string> = {}): Record<string, string> {
  const pick = (name: string): string => String(request.headers[name] ?? '');
  return { 'webhook-id': pick('webhook-id'), 'webhook-timestamp': pick('webhook-timestamp'), 'webhook-signature': pick('webhook-signature'), ...changes };
}

/** A logger whose lines land in `text`. */
function capturingLogger(): { logger: pino.Logger; text: () => string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), text: () => lines.join('') };
}

describe('Standard Webhooks signatures', () => {
  it('are the ones the reference implementation computes', () => {
    const id = newId();
    const body = JSON.stringify(cloudEvent());
    const timestamp = 1_800_000_000;
    const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    expect(signWebhook(key, id, timestamp, body)).toBe(new Webhook(SECRET).sign(id, new Date(timestamp * 1000), body));
    expect(signWebhook(key, id, timestamp, body)).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });
});

describe('webhook sink against a receiver on loopback', () => {
  const receivers: WebhookReceiver[] = [];
  async function receiver(secret: string): Promise<WebhookReceiver> {
    const r = new WebhookReceiver(secret, '/hooks/matih');
    await r.listen();
    receivers.push(r);
    return r;
  }
  const sinkTo = (r: WebhookReceiver, secrets: string[], options: Partial<ConstructorParameters<typeof WebhookSink>[0]> = {}): WebhookSink =>
    new WebhookSink({ url: r.url, secrets, logger, timeoutMs: 2000, ...options });

  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  it('delivers a request that verifies with the endpoint secret, the event id as webhook-id', async () => {
    const hook = await receiver(SECRET);
    const event = cloudEvent();
    await sinkTo(hook, [SECRET]).deliver(event);

    expect(hook.requests).toHaveLength(1);
    const [request] = hook.requests as [WebhookRequest];
    expect(request).toMatchObject({ status: 204, validSignature: true, body: JSON.stringify(event) });
    expect(request.headers['content-type']).toBe('application/cloudevents+json');
    expect(request.headers['webhook-id']).toBe(event.id);
    expect(Number(request.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -1);
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    // The library hands back the parsed body once the signature holds.
    expect(new Webhook(SECRET).verify(request.body, headersOf(request))).toEqual(event);
    // The old format is gone.
    expect(Object.keys(request.headers).filter((h) => h.startsWith('x-matih-'))).toEqual([]);
  });

  it('signs with both secrets during a rotation: receivers holding either one verify', async () => {
    const onNew = await receiver(NEW_SECRET);
    const onOld = await receiver(OLD_SECRET);
    const event = cloudEvent();
    await sinkTo(onNew, [NEW_SECRET, OLD_SECRET]).deliver(event);
    await sinkTo(onOld, [NEW_SECRET, OLD_SECRET]).deliver(event);

    for (const hook of [onNew, onOld]) {
      expect(hook.requests.map((r) => [r.validSignature, r.status])).toEqual([[true, 204]]);
      const signatures = String(hook.requests[0]?.headers['webhook-signature']).split(' ');
      expect(signatures).toHaveLength(2);
      for (const s of signatures) expect(s).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    }
    const [request] = onNew.requests as [WebhookRequest];
    expect(verifiesWith(new Webhook(NEW_SECRET), request.body, request.headers)).toBe(true);
    expect(verifiesWith(new Webhook(OLD_SECRET), request.body, request.headers)).toBe(true);
    expect(verifiesWith(new Webhook(whsec()), request.body, request.headers)).toBe(false);
  });

  it('refuses a replay: a delivery with a timestamp 10 minutes old fails verification', async () => {
    // Signed correctly, but 10 minutes ago: the receiver's library refuses it (tolerance 5 min).
    const hook = await receiver(SECRET);
    const late = sinkTo(hook, [SECRET], { now: () => Date.now() - 10 * 60_000 });
    const error = await late.deliver(cloudEvent()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).message).toBe(`webhook 127.0.0.1:${hook.port} answered 401`);
    expect(hook.requests.map((r) => r.validSignature)).toEqual([false]);
    const [refused] = hook.requests as [WebhookRequest];
    expect(() => new Webhook(SECRET).verify(refused.body, headersOf(refused))).toThrow('Message timestamp too old');

    // A captured good delivery: with its timestamp header moved, or replayed 10 minutes on, it fails.
    await sinkTo(hook, [SECRET]).deliver(cloudEvent());
    const captured = hook.requests[1] as WebhookRequest;
    expect(captured.validSignature).toBe(true);
    const wh = new Webhook(SECRET);
    const fresh = String(Math.floor(Date.now() / 1000));
    const tenMinutesAgo = String(Number(captured.headers['webhook-timestamp']) - 600);
    expect(() => wh.verify(captured.body, headersOf(captured, { 'webhook-timestamp': tenMinutesAgo }))).toThrow('Message timestamp too old');
    expect(() => wh.verify(captured.body, headersOf(captured, { 'webhook-timestamp': String(Number(fresh) + 1) }))).toThrow('No matching signature found');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 10 * 60_000 });
    expect(() => wh.verify(captured.body, headersOf(captured))).toThrow('Message timestamp too old');
  });

  it('refuses an altered body or an altered id', async () => {
    const hook = await receiver(SECRET);
    const event = cloudEvent();
    await sinkTo(hook, [SECRET]).deliver(event);
    const [request] = hook.requests as [WebhookRequest];
    const wh = new Webhook(SECRET);
    expect(wh.verify(request.body, headersOf(request))).toEqual(event);

    const altered = request.body.replace('Acme GmbH', 'Evil GmbH');
    expect(altered).not.toBe(request.body);
    expect(() => wh.verify(altered, headersOf(request))).toThrow('No matching signature found');
    expect(() => wh.verify(`${request.body} `, headersOf(request))).toThrow('No matching signature found');
    expect(() => wh.verify(request.body, headersOf(request, { 'webhook-id': newId() }))).toThrow('No matching signature found');
    expect(() => wh.verify(request.body, headersOf(request, { 'webhook-signature': '' }))).toThrow('Missing required headers');
    // Another secret does not verify either.
    expect(verifiesWith(new Webhook(whsec()), request.body, request.headers)).toBe(false);
  });

  it('sends a retry with the same webhook-id and a fresh, verifying signature', async () => {
    const hook = await receiver(SECRET);
    const sink = sinkTo(hook, [SECRET]);
    const event = cloudEvent();
    hook.status = 503;
    await expect(sink.deliver(event)).rejects.toMatchObject({ retryable: true });
    hook.status = 204;
    await sink.deliver(event);
    expect(hook.requests.map((r) => [r.headers['webhook-id'], r.validSignature, r.status])).toEqual([
      [event.id, true, 503],
      [event.id, true, 204],
    ]);
    expect(hook.delivered()).toEqual([event]);
  });

  it('signs with a legacy secret (no whsec_ prefix) as its raw bytes', async () => {
    const hook = await receiver(LEGACY_SECRET);
    await sinkTo(hook, [LEGACY_SECRET]).deliver(cloudEvent());
    expect(hook.requests.map((r) => [r.validSignature, r.status])).toEqual([[true, 204]]);
    const [request] = hook.requests as [WebhookRequest];
    expect(verifiesWith(new Webhook(Buffer.from(LEGACY_SECRET), { format: 'raw' }), request.body, request.headers)).toBe(true);
    // During a move away from it, the new whsec_ secret and the legacy one both sign.
    const moving = await receiver(LEGACY_SECRET);
    await sinkTo(moving, [NEW_SECRET, LEGACY_SECRET]).deliver(cloudEvent());
    const [both] = moving.requests as [WebhookRequest];
    expect(both.validSignature).toBe(true);
    expect(verifiesWith(standardWebhook(NEW_SECRET), both.body, both.headers)).toBe(true);
  });

  it('logs no secret when the receiver refuses the signature, and refuses bad secrets without quoting them', async () => {
    const hook = await receiver(whsec());
    const capture = capturingLogger();
    const sink = new WebhookSink({ url: hook.url, secrets: [NEW_SECRET, OLD_SECRET], logger: capture.logger, timeoutMs: 2000 });
    await expect(sink.deliver(cloudEvent())).rejects.toThrow('answered 401');
    capture.logger.info({ sink }, 'the sink itself');
    const text = capture.text();
    expect(text).toContain('the receiver refuses the event');
    for (const secret of [NEW_SECRET, OLD_SECRET]) {
      expect(text).not.toContain(secret.slice('whsec_'.length, 20));
    }
    expect(JSON.stringify(sink)).not.toContain(NEW_SECRET.slice(6, 20));

    const bad = 'whsec_not base64!';
    const short = `whsec_${randomBytes(16).toString('base64')}`;
    expect(() => new WebhookSink({ url: hook.url, secrets: [bad], logger })).toThrow(/^webhook: signing secret 1 must be whsec_ followed by standard base64/);
    expect(() => new WebhookSink({ url: hook.url, secrets: [SECRET, short], logger })).toThrow(/^webhook: signing secret 2 must encode 24 to 64 random bytes/);
    expect(() => new WebhookSink({ url: hook.url, secrets: [], logger })).toThrow('webhook: needs 1 to 2 signing secrets, not 0');
    for (const secrets of [[bad], [SECRET, short]]) {
      const message = (() => {
        try {
          new WebhookSink({ url: hook.url, secrets, logger });
          return '';
        } catch (error) {
          return (error as Error).message;
        }
      })();
      expect(message).not.toContain('not base64!');
      expect(message).not.toContain(short.slice(6));
    }
  });
});

describe('webhook sink through the relay', () => {
  let database: TestDatabase;
  let receiver: WebhookReceiver;
  let relay: OutboxRelay;

  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    await database.db.deleteFrom('outbox').execute();
    receiver = new WebhookReceiver(SECRET, '/hooks/matih');
    await receiver.listen();
    const sink = new WebhookSink({ url: receiver.url, secrets: [SECRET], logger, timeoutMs: 2000 });
    relay = new OutboxRelay({ db: database.db, sinks: [sink], logger, pollMs: 20, backoff: { baseMs: 30, capMs: 60 } });
  });
  afterEach(async () => {
    await relay.stop();
    await receiver.close();
  });

  it('posts every event as a signed CloudEvent, in order per tenant', async () => {
    const written = await insertInterleaved(database.db, 3, 4);
    while ((await relay.drainOnce()) > 0);

    expect(receiver.requests).toHaveLength(12);
    for (const r of receiver.requests) {
      expect(r.validSignature).toBe(true);
      expect(r.headers['content-type']).toBe('application/cloudevents+json');
      expect(r.headers['webhook-id']).toBe(r.event?.id);
      expect(Number(r.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -2);
    }
    expect(byTenant(receiver.delivered())).toEqual(written);
    expect(receiver.delivered()[0]).toMatchObject({ specversion: '1.0', type: 'tenant.settings.changed', dataschemaversion: '1' });
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
    expect(byTenant(receiver.delivered())).toEqual(new Map([[tenant, ids]]));
    // Every attempt of the first event carried its id: what the receiver deduplicates by.
    const attempts = receiver.requests.filter((r) => r.event?.id === ids[0]);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(attempts.map((r) => r.headers['webhook-id']))).toEqual(new Set([ids[0]]));
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
    expect(receiver.requests.every((r) => r.validSignature)).toBe(true);
    expect(byTenant(receiver.delivered())).toEqual(new Map([[tenant, ids]]));
  });

  it('delivers to every configured endpoint, each with its own secrets, at least once while one is down', async () => {
    const second = new WebhookReceiver(OLD_SECRET, '/second');
    await second.listen();
    try {
      // The second endpoint is mid-rotation: NEW_SECRET is newest, its receiver still holds OLD_SECRET.
      const config = loadConfig({
        MATIH_EVENT_SINKS: 'webhook',
        MATIH_WEBHOOK_URL: receiver.url,
        MATIH_WEBHOOK_SECRET: SECRET,
        MATIH_WEBHOOK_URL_2: second.url,
        MATIH_WEBHOOK_SECRET_2: `${NEW_SECRET}, ${OLD_SECRET}`,
      });
      const sinks = buildEventSinks(config, logger).filter((s) => s.name.startsWith('webhook'));
      expect(sinks.map((s) => s.name)).toEqual(['webhook', 'webhook-2']);
      await relay.stop();
      relay = new OutboxRelay({ db: database.db, sinks, logger, pollMs: 20, backoff: { baseMs: 30, capMs: 60 } });

      const tenant = newId();
      const ids = await insertOutboxEvents(database.db, tenant, 2);
      second.status = 503;
      expect(await relay.drainOnce()).toBe(0);
      const row = await database.db.selectFrom('outbox').select(['lastError']).where('eventId', '=', ids[0] ?? '').executeTakeFirstOrThrow();
      expect(row.lastError).toBe(`webhook-2: webhook 127.0.0.1:${second.port} answered 503`);
      // The first endpoint has the first event; the second one's tenant events wait behind it.
      expect(receiver.delivered().map((e) => e.id)).toEqual([ids[0]]);

      second.status = 204;
      relay.start();
      await waitFor(async () => (await undeliveredCount(database.db)) === 0, 10_000, 'delivery to both endpoints');
      for (const hook of [receiver, second]) {
        expect(hook.requests.every((r) => r.validSignature)).toBe(true);
        expect(byTenant(hook.delivered())).toEqual(new Map([[tenant, ids]]));
      }
      // At least once: the retry sent the first event to the first endpoint again, under the same id.
      expect(receiver.requests.filter((r) => r.headers['webhook-id'] === ids[0]).length).toBeGreaterThanOrEqual(2);
    } finally {
      await second.close();
    }
  });
});
