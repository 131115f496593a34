import type { Logger } from 'pino';
import type { EventSink, Notifier } from './contract.js';
import { LogSink } from './events/log-sink.js';
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
    sinks: readonly ('log' | 'webhook')[];
    webhookUrl: string | undefined;
    webhookSecret: string | undefined;
    notifier: 'log' | 'smtp';
    smtpUrl: string | undefined;
    smtpFrom: string;
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
  for (const kind of events.sinks) {
    if (kind === 'log') sinks.push(new LogSink(logger));
    else sinks.push(new WebhookSink({ url: required(events.webhookUrl, 'webhook URL'), secret: required(events.webhookSecret, 'webhook secret'), logger }));
  }
  sinks.push(new NotificationSink(buildNotifier(config, logger), logger));
  return sinks;
}

export function buildNotifier(config: EventDeliverySettings, logger: Logger): Notifier {
  const { events } = config;
  if (events.notifier === 'smtp') return new SmtpNotifier({ url: required(events.smtpUrl, 'SMTP URL'), from: events.smtpFrom });
  return new LogNotifier(logger);
}

/** loadConfig already refuses these gaps; this guards callers that build settings by hand. */
function required(value: string | undefined, what: string): string {
  if (!value) throw new Error(`event delivery: no ${what} configured`);
  return value;
}
