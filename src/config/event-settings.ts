import { EventType } from '../domain/events.js';
import { MAX_WEBHOOK_SECRETS, decodeWebhookSecret, splitWebhookSecrets } from '../domain/webhook-secrets.js';
import type { Env } from './variable-reader.js';

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
  /**
   * Set when the webhook sink is enabled: its endpoints, in delivery order (MATIH_WEBHOOK_URL and
   * MATIH_WEBHOOK_SECRET first, then MATIH_WEBHOOK_URL_2 and MATIH_WEBHOOK_SECRET_2...).
   */
  webhooks?: WebhookEndpointSettings[];
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

export interface WebhookEndpointSettings {
  /** http(s) URL; may carry a token, so it is never echoed in a problem. */
  url: string;
  /**
   * Signing secrets, newest first: one, or two during a rotation (both sign every delivery).
   * Each is `whsec_<base64>` (24 to 64 bytes) or a legacy secret of 16+ characters used as its
   * UTF-8 bytes; checked here (domain/webhook-secrets.ts).
   */
  secrets: string[];
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
export function parseEventSettings(
  read: (name: EventVariable) => string,
  problems: string[],
  /** The whole environment, for the numbered webhook endpoints (MATIH_WEBHOOK_URL_2...). */
  env: Env = {},
): Omit<EventSettings, 'relayPollMs'> {
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

  const webhooks = sinks.includes('webhook') ? parseWebhookEndpoints(read, env, problems) : undefined;

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
  return { sinks, webhooks, notifier: notifier ?? 'log', smtpUrl, smtpFrom, nats, kafka };
}

const NUMBERED_WEBHOOK_VARIABLE = /^MATIH_WEBHOOK_(URL|SECRET)_(.*)$/;

/**
 * The first endpoint is MATIH_WEBHOOK_URL with MATIH_WEBHOOK_SECRET (the single-endpoint form of
 * before); more are MATIH_WEBHOOK_URL_n with MATIH_WEBHOOK_SECRET_n, n = 2, 3... without gaps (a
 * gap is more likely a lost endpoint than a wish). Problems name variables, never values.
 */
function parseWebhookEndpoints(read: (name: EventVariable) => string, env: Env, problems: string[]): WebhookEndpointSettings[] {
  const endpoints: WebhookEndpointSettings[] = [];
  const first = parseWebhookEndpoint('MATIH_WEBHOOK_URL', read('MATIH_WEBHOOK_URL'), 'MATIH_WEBHOOK_SECRET', read('MATIH_WEBHOOK_SECRET'), problems, ' when MATIH_EVENT_SINKS includes webhook');
  if (first) endpoints.push(first);

  const numbers = new Set<number>();
  for (const [name, value] of Object.entries(env)) {
    const match = NUMBERED_WEBHOOK_VARIABLE.exec(name);
    if (!match || value === undefined || value.trim() === '') continue;
    const suffix = match[2] ?? '';
    if (!/^[1-9]\d{0,2}$/.test(suffix) || suffix === '1') {
      problems.push(`${name}: further webhook endpoints are numbered 2, 3... (MATIH_WEBHOOK_URL_2); the first is MATIH_WEBHOOK_URL`);
    } else {
      numbers.add(Number(suffix));
    }
  }
  const urls = new Map<string, string>(first ? [[first.url, 'MATIH_WEBHOOK_URL']] : []);
  for (const n of [...numbers].sort((a, b) => a - b)) {
    const urlVariable = `MATIH_WEBHOOK_URL_${n}`;
    if (n > 2 && !numbers.has(n - 1)) {
      problems.push(`${urlVariable}: webhook endpoint ${n} is configured but endpoint ${n - 1} is not; number them 2, 3... without gaps`);
    }
    const secretVariable = `MATIH_WEBHOOK_SECRET_${n}`;
    const url = env[urlVariable]?.trim() ?? '';
    // One of the two is set (that is how n was found): the other is required with it.
    const whyRequired = ` with ${url ? urlVariable : secretVariable}`;
    const endpoint = parseWebhookEndpoint(urlVariable, url, secretVariable, env[secretVariable]?.trim() ?? '', problems, whyRequired);
    if (!endpoint) continue;
    const same = urls.get(endpoint.url);
    if (same) problems.push(`${urlVariable} is the same URL as ${same}: each endpoint gets every event once already`);
    else urls.set(endpoint.url, urlVariable);
    endpoints.push(endpoint);
  }
  return endpoints;
}

function parseWebhookEndpoint(
  urlVariable: string,
  url: string,
  secretVariable: string,
  secretValue: string,
  problems: string[],
  whyRequired: string,
): WebhookEndpointSettings | undefined {
  const before = problems.length;
  if (!url) problems.push(`${urlVariable} is required${whyRequired}`);
  else if (!isUrl(url, ['http:', 'https:'])) problems.push(`${urlVariable} must be an http:// or https:// URL`);

  const secrets = splitWebhookSecrets(secretValue);
  if (secrets.length === 0) problems.push(`${secretVariable} is required${whyRequired}`);
  else if (secrets.length > MAX_WEBHOOK_SECRETS) {
    problems.push(`${secretVariable} has ${secrets.length} secrets: give the current one, and while receivers move to it the previous one (newest first), no more`);
  } else {
    secrets.forEach((secret, i) => {
      const { problem } = decodeWebhookSecret(secret);
      if (problem !== undefined) problems.push(secrets.length === 1 ? `${secretVariable} ${problem}` : `${secretVariable}: secret ${i + 1} ${problem}`);
    });
    if (secrets.length === 2 && secrets[0] === secrets[1]) problems.push(`${secretVariable} gives the same secret twice`);
  }
  return problems.length === before ? { url, secrets } : undefined;
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
