import { randomBytes } from 'node:crypto';
import { type AddressInfo, type Server, type Socket, createConnection, createServer } from 'node:net';
import { ErrorCode, type NatsConnection, NatsError, connect } from 'nats';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CloudEvent, EventType, toCloudEvent } from '../../src/domain/events.js';
import { newId } from '../../src/domain/ids.js';
import { DriverError } from '../../src/drivers/contract.js';
import { natsConnectionOptions } from '../../src/drivers/events/nats-connection-options.js';
import { natsDriverError } from '../../src/drivers/events/nats-errors.js';
import { NatsJetStreamSink } from '../../src/drivers/events/nats-sink.js';
import { filterCapturesPrefix, natsSubjectFor } from '../../src/drivers/events/nats-subjects.js';
import { OutboxRelay } from '../../src/engine/outbox-relay.js';
import { openTestDatabase } from '../support/databases.js';
import { byTenant, insertInterleaved } from '../support/outbox.js';
import { answers } from '../support/tcp-probe.js';

const NATS_HOST = '127.0.0.1';
const NATS_PORT = 4222;
const logger = pino({ level: 'silent' });

/** A port nothing listens on: bound once by us, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP proxy to the NATS server that can go away and come back on the same port: a lost connection. */
class FlakyProxy {
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection({ host: NATS_HOST, port: NATS_PORT });
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        socket.once('error', () => undefined);
      }
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function cloudEvent(tenantId: string, type: string = EventType.TENANT_SETTINGS_CHANGED, n = 0): CloudEvent {
  return toCloudEvent({ id: String(n), eventId: newId(), aggregateType: 'tenant', aggregateId: tenantId, type, payload: { tenantId, n }, createdAt: new Date(), attempts: 0 });
}

async function failure(work: Promise<unknown>): Promise<DriverError> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DriverError);
  return error as DriverError;
}

describe('NATS subjects, URLs and errors', () => {
  it('maps an event type to a subject under the prefix, keeping its dots and nothing unsafe', () => {
    expect(natsSubjectFor('matih.events', 'tenant.provisioned')).toBe('matih.events.tenant.provisioned');
    expect(natsSubjectFor('matih.events', 'tenant.provisioning.step_completed')).toBe('matih.events.tenant.provisioning.step_completed');
    expect(natsSubjectFor('p', 'a b.*.>..c/d')).toBe('p.a_b._._._.c_d');
  });

  it('tells whether a stream filter captures every subject under the prefix', () => {
    expect(filterCapturesPrefix('matih.events.>', 'matih.events')).toBe(true);
    expect(filterCapturesPrefix('matih.>', 'matih.events')).toBe(true);
    expect(filterCapturesPrefix('matih.*.>', 'matih.events')).toBe(true);
    expect(filterCapturesPrefix('>', 'matih.events')).toBe(true);
    expect(filterCapturesPrefix('matih.events.*', 'matih.events')).toBe(false);
    expect(filterCapturesPrefix('matih.events', 'matih.events')).toBe(false);
    expect(filterCapturesPrefix('matih.events.tenant.>', 'matih.events')).toBe(false);
    expect(filterCapturesPrefix('other.>', 'matih.events')).toBe(false);
  });

  it('takes credentials out of the URLs, as user and password or as a token', () => {
    expect(natsConnectionOptions('nats://app:s%40cret@nats-1:4222, nats://app:s%40cret@nats-2')).toEqual({
      servers: ['nats-1:4222', 'nats-2:4222'],
      user: 'app',
      pass: 's@cret',
    });
    expect(natsConnectionOptions('tls://tok3n@nats.example.com:7422')).toEqual({ servers: ['nats.example.com:7422'], token: 'tok3n', tls: {} });
    expect(() => natsConnectionOptions('http://nats:4222')).toThrow(/nats:\/\/ or tls:\/\//);
  });

  it('makes retryable errors of what can pass and permanent ones of what needs a person', () => {
    const retryable = [ErrorCode.NoResponders, ErrorCode.Timeout, ErrorCode.ConnectionRefused, ErrorCode.ConnectionClosed, ErrorCode.Disconnect];
    for (const code of retryable) expect(natsDriverError(NatsError.errorForCode(code), 'x').retryable, code).toBe(true);
    const permanent = [ErrorCode.PermissionsViolation, ErrorCode.AuthorizationViolation, ErrorCode.BadSubject, ErrorCode.BadAuthentication];
    for (const code of permanent) expect(natsDriverError(NatsError.errorForCode(code), 'x').retryable, code).toBe(false);

    const apiError = (code: number, description: string): NatsError => Object.assign(new NatsError(description, String(code)), { api_error: { code, description, err_code: 10_000 } });
    const mismatch = natsDriverError(apiError(400, 'expected stream does not match'), 'x');
    expect(mismatch.retryable).toBe(false);
    expect(mismatch.message).toBe('x: JetStream 400 expected stream does not match (err_code 10000)');
    expect(natsDriverError(apiError(503, 'JetStream system temporarily unavailable'), 'x').retryable).toBe(true);
    expect(natsDriverError(new Error('socket hang up'), 'x').retryable).toBe(true);
  });
});

const natsUp = await answers(NATS_HOST, NATS_PORT);

const serverSuite = natsUp
  ? `NATS JetStream sink against ${NATS_HOST}:${NATS_PORT}`
  : `NATS JetStream sink (skipped: no NATS server answers at ${NATS_HOST}:${NATS_PORT}; start nats-server -js there to run it)`;

describe.skipIf(!natsUp)(serverSuite, () => {
  const suffix = randomBytes(4).toString('hex');
  const stream = `MATIH_TEST_${suffix}`;
  const prefix = `matih-test.${suffix}`;
  const url = `nats://${NATS_HOST}:${NATS_PORT}`;
  let admin: NatsConnection;
  let sink: NatsJetStreamSink;

  /** Every message of the stream, in stream order, read with an ordered JetStream consumer. */
  async function readStream(name = stream): Promise<{ seq: number; subject: string; headers: Record<string, string>; event: CloudEvent }[]> {
    const consumer = await admin.jetstream().consumers.get(name);
    const messages = await consumer.fetch({ max_messages: 1000, expires: 1000 });
    const read: { seq: number; subject: string; headers: Record<string, string>; event: CloudEvent }[] = [];
    for await (const message of messages) {
      const headers: Record<string, string> = {};
      for (const [key, values] of message.headers ?? []) headers[key] = values.join(',');
      read.push({ seq: message.seq, subject: message.subject, headers, event: message.json<CloudEvent>() });
    }
    return read;
  }

  async function storedCount(name = stream): Promise<number> {
    const info = await (await admin.jetstreamManager()).streams.info(name);
    return info.state.messages;
  }

  beforeAll(async () => {
    admin = await connect({ servers: `${NATS_HOST}:${NATS_PORT}`, timeout: 2000 });
  });
  afterAll(async () => {
    const jsm = await admin.jetstreamManager();
    for (const name of [stream, `${stream}_OTHER`]) await jsm.streams.delete(name).catch(() => undefined);
    await admin.drain();
  });
  beforeEach(async () => {
    sink = new NatsJetStreamSink({ url, stream, subjectPrefix: prefix, logger, publishTimeoutMs: 3000 });
    await (await admin.jetstreamManager()).streams.purge(stream).catch(() => undefined);
  });
  afterEach(async () => {
    await sink.close();
  });

  it('creates the stream at first use and stores every event once, in order, with its headers', async () => {
    const tenants = [newId(), newId()];
    const types = [EventType.TENANT_CREATED, EventType.PROVISIONING_STEP_COMPLETED, EventType.TENANT_PROVISIONED];
    const events = types.flatMap((type, n) => tenants.map((tenant) => cloudEvent(tenant, type, n)));
    for (const event of events) await sink.deliver(event);

    const info = await (await admin.jetstreamManager()).streams.info(stream);
    expect(info.config.subjects).toEqual([`${prefix}.>`]);
    expect(info.config.duplicate_window).toBe(10 * 60 * 1e9);

    const read = await readStream();
    expect(read.map((m) => m.event)).toEqual(events);
    expect(read.map((m) => m.subject)).toEqual(events.map((e) => `${prefix}.${e.type}`));
    expect(read[0]?.headers).toMatchObject({
      'Nats-Msg-Id': events[0]?.id,
      'ce-id': events[0]?.id,
      'ce-type': 'tenant.created',
      'ce-source': '/matih/control-plane',
      'ce-specversion': '1.0',
      'ce-subject': `tenant/${tenants[0]}`,
      'ce-dataschemaversion': '1',
      'content-type': 'application/cloudevents+json',
    });
  });

  it('stores a redelivered event once, also from another sink instance (another replica)', async () => {
    const event = cloudEvent(newId());
    await sink.deliver(event);
    await sink.deliver(event);
    const replica = new NatsJetStreamSink({ url, stream, subjectPrefix: prefix, logger });
    try {
      await replica.deliver(event);
    } finally {
      await replica.close();
    }
    expect(await storedCount()).toBe(1);
    expect((await readStream()).map((m) => m.event.id)).toEqual([event.id]);
  });

  it('delivers the outbox through the relay in order per tenant', async () => {
    const database = await openTestDatabase();
    const relay = new OutboxRelay({ db: database.db, sinks: [sink], logger, pollMs: 20 });
    try {
      const written = await insertInterleaved(database.db, 3, 4);
      while ((await relay.drainOnce()) > 0);
      const read = await readStream();
      expect(read).toHaveLength(12);
      expect(byTenant(read.map((m) => m.event))).toEqual(written);
    } finally {
      await relay.stop();
      await database.close();
    }
  });

  it('recreates the stream when it was deleted after first use', async () => {
    await sink.deliver(cloudEvent(newId()));
    await (await admin.jetstreamManager()).streams.delete(stream);
    const lost = await failure(sink.deliver(cloudEvent(newId())));
    expect(lost.retryable).toBe(true);
    expect(lost.message).toContain('no responders');
    const event = cloudEvent(newId());
    await sink.deliver(event);
    expect((await readStream()).map((m) => m.event.id)).toEqual([event.id]);
  });

  it('refuses, permanently, a stream of that name that does not capture the subjects', async () => {
    const other = `${stream}_OTHER`;
    await (await admin.jetstreamManager()).streams.add({ name: other, subjects: [`matih-test-other.${suffix}.>`] });
    const misfit = new NatsJetStreamSink({ url, stream: other, subjectPrefix: prefix, logger });
    try {
      const error = await failure(misfit.deliver(cloudEvent(newId())));
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(`does not capture ${prefix}.>`);
    } finally {
      await misfit.close();
    }
  });

  it('fails retryably while the connection is lost, reconnects by itself, and stores the retried event once', async () => {
    const proxy = new FlakyProxy();
    await proxy.start();
    const flaky = new NatsJetStreamSink({ url: `nats://127.0.0.1:${proxy.port}`, stream, subjectPrefix: prefix, logger, publishTimeoutMs: 1000 });
    try {
      const first = cloudEvent(newId(), EventType.TENANT_CREATED, 1);
      const second = cloudEvent(newId(), EventType.TENANT_CREATED, 2);
      await flaky.deliver(first);
      await proxy.stop();
      const lost = await failure(flaky.deliver(second));
      expect(lost.retryable).toBe(true);

      await proxy.start();
      // What the relay does: try again until it goes through.
      const until = Date.now() + 15_000;
      for (;;) {
        const error = await flaky.deliver(second).then(() => undefined, (e: unknown) => e);
        if (error === undefined) break;
        expect(error).toBeInstanceOf(DriverError);
        expect((error as DriverError).retryable).toBe(true);
        if (Date.now() > until) throw error as DriverError;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // nats.js may have sent the failed publish once it reconnected: the stream keeps one copy.
      expect((await readStream()).map((m) => m.event.id)).toEqual([first.id, second.id]);
    } finally {
      await flaky.close();
      await proxy.stop();
    }
  });

  it('reconnects lazily after close()', async () => {
    await sink.deliver(cloudEvent(newId()));
    await sink.close();
    await sink.deliver(cloudEvent(newId()));
    expect(await storedCount()).toBe(2);
  });
});

describe('NATS JetStream sink without a server', () => {
  it('fails quickly with a retryable error that does not show the credentials', async () => {
    const port = await closedPort();
    const sink = new NatsJetStreamSink({ url: `nats://app:hunter2@127.0.0.1:${port}`, logger, connectTimeoutMs: 500 });
    const started = Date.now();
    const error = await failure(sink.deliver(cloudEvent(newId())));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`nats connect to 127.0.0.1:${port}`);
    expect(error.message).not.toContain('hunter2');
    await sink.close();
  });
});
