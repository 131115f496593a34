import { EventType } from '../domain/events.js';

/**
 * Event delivery settings (the outbox relay's sinks and the admin notifier), read by loadConfig.
 * They validate as a group: which variables are required depends on which sinks are enabled.
 */
export const EVENT_SINK_KINDS = ['log', 'webhook', 'nats', 'kafka'] as const;
export type EventSinkKind = (typeof EVENT_SINK_KINDS)[number];
export const NOTIFIER_KINDS = ['log', 'smtp'] as const;
export type NotifierKind = (typeof NOTIFIER_KINDS)[number];

export interface EventSettings {
  /** Where every event goes, in this order; admin notifications are delivered after them. */
  sinks: readonly EventSinkKind[];
  /** Set when the webhook sink is enabled. */
  webhookUrl: string | undefined;
  /** HMAC-SHA256 key of x-matih-signature; set (16+ characters) when the webhook sink is enabled. */
  webhookSecret: string | undefined;
  notifier: NotifierKind;
  /** Set when the notifier is smtp. */
  smtpUrl: string | undefined;
  smtpFrom: string;
  /** How often an idle relay looks for undelivered events. */
  relayPollMs: number;
  /** Set when the nats sink is enabled. */
  nats?: NatsSettings;
  /** Set when the kafka sink is enabled. */
  kafka?: KafkaSettings;
}

export interface NatsSettings {
  /** nats:// or tls:// URLs, comma-separated; may carry credentials (user:pass@ or token@). */
  url: string;
  /** The JetStream stream storing the events; created at first use when absent. */
  stream: string;
  /** Events go to `{subjectPrefix}.{event type}`; the stream captures `{subjectPrefix}.>`. */
  subjectPrefix: string;
}

export interface KafkaSettings {
  /** host:port of the bootstrap brokers. */
  brokers: string[];
  clientId: string;
  /** Where an event type without an entry in `topics` goes. */
  defaultTopic: string;
  /** Event type → topic overrides. */
  topics: Record<string, string>;
}

export const MIN_WEBHOOK_SECRET_LENGTH = 16;

type EventVariable =
  | 'MATIH_EVENT_SINKS'
  | 'MATIH_WEBHOOK_URL'
  | 'MATIH_WEBHOOK_SECRET'
  | 'MATIH_NOTIFIER'
  | 'MATIH_SMTP_URL'
  | 'MATIH_SMTP_FROM'
  | NatsVariable
  | KafkaVariable;
type NatsVariable = 'MATIH_NATS_URL' | 'MATIH_NATS_STREAM' | 'MATIH_NATS_SUBJECT_PREFIX';
type KafkaVariable = 'MATIH_KAFKA_BROKERS' | 'MATIH_KAFKA_TOPIC' | 'MATIH_KAFKA_TOPICS' | 'MATIH_KAFKA_CLIENT_ID';

/** Their defaults; MATIH_RELAY_POLL_MS is a number, which loadConfig reads beside parseEventSettings. */
export const EVENT_VARIABLES = {
  MATIH_EVENT_SINKS: 'log',
  MATIH_WEBHOOK_URL: '',
  MATIH_WEBHOOK_SECRET: '',
  MATIH_NOTIFIER: 'log',
  MATIH_SMTP_URL: '',
  MATIH_SMTP_FROM: 'matih@localhost',
  MATIH_RELAY_POLL_MS: '500',
  MATIH_NATS_URL: '',
  MATIH_NATS_STREAM: 'MATIH_EVENTS',
  MATIH_NATS_SUBJECT_PREFIX: 'matih.events',
  MATIH_KAFKA_BROKERS: '',
  MATIH_KAFKA_TOPIC: 'matih.tenant-events',
  MATIH_KAFKA_TOPICS: '',
  MATIH_KAFKA_CLIENT_ID: 'matih-control-plane',
} as const satisfies Record<EventVariable | 'MATIH_RELAY_POLL_MS', string>;

/**
 * Problems name the variable but never echo a secret or a URL, which may carry credentials
 * (smtp://user:password@host, a token in a webhook's query).
 */
export function parseEventSettings(read: (name: EventVariable) => string, problems: string[]): Omit<EventSettings, 'relayPollMs'> {
  const sinks: EventSinkKind[] = [];
  const rawSinks = read('MATIH_EVENT_SINKS');
  for (const item of rawSinks.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    const kind = EVENT_SINK_KINDS.find((k) => k === item);
    if (!kind) problems.push(`MATIH_EVENT_SINKS: "${item}" is not one of ${EVENT_SINK_KINDS.join(', ')}`);
    else if (!sinks.includes(kind)) sinks.push(kind);
  }
  if (sinks.length === 0 && rawSinks.split(',').every((s) => s.trim() === '')) {
    problems.push(`MATIH_EVENT_SINKS must name at least one of ${EVENT_SINK_KINDS.join(', ')}`);
  }

  const webhookUrl = read('MATIH_WEBHOOK_URL') || undefined;
  const webhookSecret = read('MATIH_WEBHOOK_SECRET') || undefined;
  if (sinks.includes('webhook')) {
    if (!webhookUrl) problems.push('MATIH_WEBHOOK_URL is required when MATIH_EVENT_SINKS includes webhook');
    else if (!isUrl(webhookUrl, ['http:', 'https:'])) problems.push('MATIH_WEBHOOK_URL must be an http:// or https:// URL');
    if (!webhookSecret) problems.push('MATIH_WEBHOOK_SECRET is required when MATIH_EVENT_SINKS includes webhook');
    else if (webhookSecret.length < MIN_WEBHOOK_SECRET_LENGTH) {
      problems.push(`MATIH_WEBHOOK_SECRET must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters long`);
    }
  }

  const rawNotifier = read('MATIH_NOTIFIER').toLowerCase();
  const notifier = NOTIFIER_KINDS.find((k) => k === rawNotifier);
  if (!notifier) problems.push(`MATIH_NOTIFIER="${rawNotifier}" must be one of ${NOTIFIER_KINDS.join(', ')}`);
  const smtpUrl = read('MATIH_SMTP_URL') || undefined;
  if (notifier === 'smtp') {
    if (!smtpUrl) problems.push('MATIH_SMTP_URL is required when MATIH_NOTIFIER is smtp');
    else if (!isUrl(smtpUrl, ['smtp:', 'smtps:'])) problems.push('MATIH_SMTP_URL must be an smtp:// or smtps:// URL');
  }
  const smtpFrom = read('MATIH_SMTP_FROM');
  if (!/^[^@\s<>]+@[^@\s<>]+$|<[^@\s<>]+@[^@\s<>]+>$/.test(smtpFrom)) {
    problems.push(`MATIH_SMTP_FROM="${smtpFrom}" must be an email address, optionally as Name <address>`);
  }

  const nats = sinks.includes('nats') ? parseNatsSettings(read, problems) : undefined;
  const kafka = sinks.includes('kafka') ? parseKafkaSettings(read, problems) : undefined;
  return { sinks, webhookUrl, webhookSecret, notifier: notifier ?? 'log', smtpUrl, smtpFrom, nats, kafka };
}

/* Mirror drivers/events/nats-subjects.ts (config/ may not import drivers/). */
const NATS_STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const NATS_SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

function parseNatsSettings(read: (name: NatsVariable) => string, problems: string[]): NatsSettings {
  const url = read('MATIH_NATS_URL');
  const servers = url.split(',').map((s) => s.trim()).filter(Boolean);
  if (servers.length === 0) problems.push('MATIH_NATS_URL is required when MATIH_EVENT_SINKS includes nats');
  else if (!servers.every((server) => isUrl(server, ['nats:', 'tls:']))) {
    problems.push('MATIH_NATS_URL must be one or more nats:// or tls:// URLs, comma-separated');
  }
  const stream = read('MATIH_NATS_STREAM');
  if (!NATS_STREAM_NAME.test(stream)) problems.push(`MATIH_NATS_STREAM="${stream}" must be 1 to 64 letters, digits, _ or -`);
  const subjectPrefix = read('MATIH_NATS_SUBJECT_PREFIX');
  if (!NATS_SUBJECT_PREFIX.test(subjectPrefix)) {
    problems.push(`MATIH_NATS_SUBJECT_PREFIX="${subjectPrefix}" must be dot-separated tokens of letters, digits, _ or - (no wildcards), such as matih.events`);
  }
  return { url, stream, subjectPrefix };
}

/** Kafka's legal topic names (and not `.` or `..`). */
const KAFKA_TOPIC = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,249}$/;
const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;
const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(Object.values(EventType));

function parseKafkaSettings(read: (name: KafkaVariable) => string, problems: string[]): KafkaSettings {
  const brokers = read('MATIH_KAFKA_BROKERS').split(',').map((s) => s.trim()).filter(Boolean);
  if (brokers.length === 0) problems.push('MATIH_KAFKA_BROKERS is required when MATIH_EVENT_SINKS includes kafka');
  brokers.forEach((broker, i) => {
    const port = Number(HOST_PORT.exec(broker)?.[1]);
    // Positions, not values: an entry pasted with credentials in it must not end up in a log.
    if (!(port >= 1 && port <= 65535)) problems.push(`MATIH_KAFKA_BROKERS: entry ${i + 1} must be host:port`);
  });

  const defaultTopic = read('MATIH_KAFKA_TOPIC');
  if (!KAFKA_TOPIC.test(defaultTopic)) problems.push(`MATIH_KAFKA_TOPIC="${defaultTopic}" must be a Kafka topic name (letters, digits, . _ -, up to 249)`);

  const topics: Record<string, string> = {};
  for (const item of read('MATIH_KAFKA_TOPICS').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [type = '', topic = '', ...rest] = item.split('=').map((s) => s.trim());
    if (rest.length > 0 || type === '' || topic === '') {
      problems.push(`MATIH_KAFKA_TOPICS: "${item}" must be eventtype=topic`);
    } else if (!KNOWN_EVENT_TYPES.has(type)) {
      // A typo would silently send the type to the default topic: refuse it instead.
      problems.push(`MATIH_KAFKA_TOPICS: "${type}" is not an event type (${[...KNOWN_EVENT_TYPES].join(', ')})`);
    } else if (!KAFKA_TOPIC.test(topic)) {
      problems.push(`MATIH_KAFKA_TOPICS: "${topic}" is not a Kafka topic name`);
    } else if (Object.hasOwn(topics, type)) {
      problems.push(`MATIH_KAFKA_TOPICS: "${type}" is given twice`);
    } else {
      topics[type] = topic;
    }
  }

  const clientId = read('MATIH_KAFKA_CLIENT_ID');
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(clientId)) problems.push(`MATIH_KAFKA_CLIENT_ID="${clientId}" must be 1 to 100 letters, digits, . _ or -`);
  return { brokers, clientId, defaultTopic, topics };
}

function isUrl(value: string, protocols: readonly string[]): boolean {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}
