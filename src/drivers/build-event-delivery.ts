import type { Logger } from 'pino';
import type { EventSink, Notifier } from './contract.js';
import { KafkaSink } from './events/kafka-sink.js';
import { LogSink } from './events/log-sink.js';
import { NatsJetStreamSink } from './events/nats-sink.js';
import { WebhookSink } from './events/webhook-sink.js';
import { LogNotifier } from './notify/log-notifier.js';
import { NotificationSink } from './notify/notification-sink.js';
import { SmtpNotifier } from './notify/smtp-notifier.js';

/**
 * The part of the configuration event delivery reads. Declared here, not imported from config/,
 * because drivers may import only the domain (DESIGN.md section 3); `Config` fits it as it is.
 */
export interface EventDeliverySettings {
  events: {
    sinks: readonly ('log' | 'webhook' | 'nats' | 'kafka')[];
    /** Set when the webhook sink is enabled: one sink per endpoint, in this order. */
    webhooks?: readonly { url: string; secrets: readonly string[] }[] | undefined;
    notifier: 'log' | 'smtp';
    smtpUrl: string | undefined;
    smtpFrom: string;
    /** Set when the nats sink is enabled. */
    nats?: { url: string; stream: string; subjectPrefix: string } | undefined;
    /** Set when the kafka sink is enabled. */
    kafka?: { brokers: readonly string[]; clientId: string; defaultTopic: string; topics: Readonly<Record<string, string>> } | undefined;
  };
}

/**
 * The sinks the outbox relay delivers to, in order: the configured event sinks, then the admin
 * notifications. Notifications come last so that an email goes out only once the event is
 * published, and a mail server that is down does not delay the webhook.
 */
export function buildEventSinks(config: EventDeliverySettings, logger: Logger): EventSink[] {
  const { events } = config;
  const sinks: EventSink[] = [];
  for (const kind of events.sinks) sinks.push(...buildEventSink(kind, config, logger));
  sinks.push(new NotificationSink(buildNotifier(config, logger), logger));
  return sinks;
}

/**
 * The sinks of one kind: one, or for `webhook` one per endpoint (`webhook`, `webhook-2`...), each
 * a sink of its own in the relay's order, so an event is delivered only once every endpoint took
 * it and an endpoint that is down holds the tenant's later events back for all of them.
 */
function buildEventSink(kind: EventDeliverySettings['events']['sinks'][number], { events }: EventDeliverySettings, logger: Logger): EventSink[] {
  switch (kind) {
    case 'log':
      return [new LogSink(logger)];
    case 'webhook': {
      const endpoints = required(events.webhooks?.length ? events.webhooks : undefined, 'webhook endpoint');
      return endpoints.map(({ url, secrets }, i) => new WebhookSink({ name: i === 0 ? 'webhook' : `webhook-${i + 1}`, url, secrets, logger }));
    }
    case 'nats': {
      // Nothing connects here: the sink connects at its first event, so a NATS outage never stops a start.
      const nats = required(events.nats, 'NATS settings');
      return [new NatsJetStreamSink({ url: nats.url, stream: nats.stream, subjectPrefix: nats.subjectPrefix, logger })];
    }
    case 'kafka': {
      const kafka = required(events.kafka, 'Kafka settings');
      return [new KafkaSink({ brokers: kafka.brokers, clientId: kafka.clientId, defaultTopic: kafka.defaultTopic, topics: kafka.topics, logger })];
    }
  }
}

/**
 * Closes the sinks that hold connections (NATS drains what is in flight, the Kafka producer
 * disconnects). Call it after the relay has stopped, so no delivery is cut off.
 */
export async function closeEventSinks(sinks: readonly EventSink[]): Promise<void> {
  await Promise.allSettled(sinks.map(async (sink) => (isClosable(sink) ? sink.close() : undefined)));
}

function isClosable(sink: EventSink): sink is EventSink & { close(): Promise<void> | void } {
  return typeof (sink as { close?: unknown }).close === 'function';
}

export function buildNotifier(config: EventDeliverySettings, logger: Logger): Notifier {
  const { events } = config;
  if (events.notifier === 'smtp') return new SmtpNotifier({ url: required(events.smtpUrl, 'SMTP URL'), from: events.smtpFrom });
  return new LogNotifier(logger);
}

/** loadConfig already refuses these gaps; this guards callers that build settings by hand. */
function required<T>(value: T | undefined, what: string): T {
  if (!value) throw new Error(`event delivery: no ${what} configured`);
  return value;
}
