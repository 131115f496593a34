import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { Writable } from 'node:stream';
import { connect } from 'nats';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { EventType, toCloudEvent } from '../../src/domain/events.js';
import { newId } from '../../src/domain/ids.js';
import { type EventDeliverySettings, buildEventSinks, closeEventSinks } from '../../src/drivers/build-event-delivery.js';
import type { EventSink } from '../../src/drivers/contract.js';
import { KafkaSink } from '../../src/drivers/events/kafka-sink.js';
import { LogSink } from '../../src/drivers/events/log-sink.js';
import { NatsJetStreamSink } from '../../src/drivers/events/nats-sink.js';

/** A logger whose lines land in `lines`, parsed. */
function capturingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('event delivery wiring', () => {
  const { logger } = capturingLogger();

  it('builds the log sink and the log notifier by default, notifications last', () => {
    expect(buildEventSinks(loadConfig({}), logger).map((s) => s.name)).toEqual(['log', 'notify']);
  });

  it('builds the configured sinks in order, from the validated configuration', () => {
    const config = loadConfig({
      MATIH_EVENT_SINKS: 'webhook,log',
      MATIH_WEBHOOK_URL: 'http://127.0.0.1:9/hooks',
      MATIH_WEBHOOK_SECRET: 'x'.repeat(32),
      MATIH_NOTIFIER: 'smtp',
      MATIH_SMTP_URL: 'smtp://127.0.0.1:2525',
    });
    expect(buildEventSinks(config, logger).map((s) => s.name)).toEqual(['webhook', 'log', 'notify']);
  });

  it('builds one webhook sink per endpoint, in their order, and refuses hand-built settings without one', () => {
    const config = loadConfig({
      MATIH_EVENT_SINKS: 'log,webhook',
      MATIH_WEBHOOK_URL: 'http://127.0.0.1:9/first',
      MATIH_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
      MATIH_WEBHOOK_URL_2: 'http://127.0.0.1:9/second',
      MATIH_WEBHOOK_SECRET_2: `whsec_${randomBytes(32).toString('base64')},whsec_${randomBytes(24).toString('base64')}`,
    });
    expect(buildEventSinks(config, logger).map((s) => s.name)).toEqual(['log', 'webhook', 'webhook-2', 'notify']);
    const settings: EventDeliverySettings = { events: { sinks: ['webhook'], webhooks: [], notifier: 'log', smtpUrl: undefined, smtpFrom: 'matih@localhost' } };
    expect(() => buildEventSinks(settings, logger)).toThrow('event delivery: no webhook endpoint configured');
  });

  it('logs an event by type, subject and id, without its data', async () => {
    const capture = capturingLogger();
    const tenantId = newId();
    const event = toCloudEvent({
      id: '7', eventId: newId(), aggregateType: 'tenant', aggregateId: tenantId, type: EventType.TENANT_CREATED,
      payload: { adminEmail: 'admin@acme.test', secretish: 'do-not-log' }, createdAt: new Date(), attempts: 0,
    });
    await new LogSink(capture.logger).deliver(event);
    expect(capture.lines).toHaveLength(1);
    expect(capture.lines[0]).toMatchObject({ level: 30, eventId: event.id, eventType: 'tenant.created', subject: `tenant/${tenantId}` });
    expect(JSON.stringify(capture.lines[0])).not.toMatch(/admin@acme\.test|do-not-log/);
  });
});

/** Whether a NATS server answers at 127.0.0.1:4222 (DESIGN.md section 6); its test is skipped otherwise. */
const natsUp = await new Promise<boolean>((resolve) => {
  const socket = createConnection({ host: '127.0.0.1', port: 4222, timeout: 1000 });
  const done = (up: boolean): void => {
    socket.destroy();
    resolve(up);
  };
  socket.once('connect', () => done(true)).once('timeout', () => done(false)).once('error', () => done(false));
});

describe('NATS and Kafka sinks from the configuration', () => {
  const logger = pino({ level: 'silent' });

  it('builds them in the configured order without connecting to anything', () => {
    // Nothing listens on port 9 here: building must not try to connect.
    const config = loadConfig({
      MATIH_EVENT_SINKS: 'nats,kafka,log',
      MATIH_NATS_URL: 'nats://127.0.0.1:9',
      MATIH_KAFKA_BROKERS: '127.0.0.1:9',
      MATIH_KAFKA_TOPIC: 'acme.events',
      MATIH_KAFKA_TOPICS: 'tenant.provisioned=acme.provisioned',
    });
    const sinks = buildEventSinks(config, logger);
    expect(sinks.map((s) => s.name)).toEqual(['nats', 'kafka', 'log', 'notify']);
    expect(sinks[0]).toBeInstanceOf(NatsJetStreamSink);
    const kafka = sinks[1];
    expect(kafka).toBeInstanceOf(KafkaSink);
    expect((kafka as KafkaSink).topicFor(EventType.TENANT_PROVISIONED)).toBe('acme.provisioned');
    expect((kafka as KafkaSink).topicFor(EventType.TENANT_CREATED)).toBe('acme.events');
  });

  it('refuses hand-built settings that enable a sink without its settings', () => {
    const settings: EventDeliverySettings = {
      events: { sinks: ['kafka'], notifier: 'log', smtpUrl: undefined, smtpFrom: 'matih@localhost' },
    };
    expect(() => buildEventSinks(settings, logger)).toThrow('event delivery: no Kafka settings configured');
  });

  it('closes the sinks that hold connections, and survives one that fails to close', async () => {
    const closed: string[] = [];
    const sinks: EventSink[] = [
      { name: 'plain', deliver: async () => undefined },
      Object.assign({ name: 'broken', deliver: async () => undefined }, { close: async () => Promise.reject(new Error('already gone')) }),
      Object.assign({ name: 'pooled', deliver: async () => undefined }, { close: async () => void closed.push('pooled') }),
    ];
    await closeEventSinks(sinks);
    expect(closed).toEqual(['pooled']);
  });

  it.skipIf(!natsUp)('delivers through the NATS sink it built to the server at 127.0.0.1:4222 (skipped when none answers)', async () => {
    const stream = `MATIH_BUILD_TEST_${randomBytes(4).toString('hex')}`;
    const config = loadConfig({ MATIH_EVENT_SINKS: 'nats', MATIH_NATS_URL: 'nats://127.0.0.1:4222', MATIH_NATS_STREAM: stream, MATIH_NATS_SUBJECT_PREFIX: `matih-build-test.${stream}` });
    const sinks = buildEventSinks(config, logger);
    const admin = await connect({ servers: '127.0.0.1:4222' });
    try {
      const event = toCloudEvent({ id: '1', eventId: newId(), aggregateType: 'tenant', aggregateId: newId(), type: EventType.TENANT_PROVISIONED, payload: {}, createdAt: new Date(), attempts: 0 });
      await sinks[0]?.deliver(event);
      const stored = await (await admin.jetstreamManager()).streams.getMessage(stream, { seq: 1 });
      expect(stored.subject).toBe(`matih-build-test.${stream}.tenant.provisioned`);
      expect(stored.json<{ id: string }>().id).toBe(event.id);
    } finally {
      await closeEventSinks(sinks);
      await (await admin.jetstreamManager()).streams.delete(stream).catch(() => undefined);
      await admin.drain();
    }
  });
});
