import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { EventType, toCloudEvent } from '../../src/domain/events.js';
import { newId } from '../../src/domain/ids.js';
import { buildEventSinks } from '../../src/drivers/build-event-delivery.js';
import { LogSink } from '../../src/drivers/events/log-sink.js';

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
