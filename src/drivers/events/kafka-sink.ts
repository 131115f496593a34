import { Kafka, type LogEntry, Partitioners, type ProducerRecord, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import type { CloudEvent } from '../../domain/events.js';
import type { EventSink } from '../contract.js';
import { CLOUDEVENTS_JSON, aggregateIdOf, cloudEventHeaders } from './cloudevent-headers.js';
import { kafkaDriverError } from './kafka-errors.js';

export const DEFAULT_KAFKA_TOPIC = 'matih.tenant-events';
export const DEFAULT_KAFKA_CLIENT_ID = 'matih-control-plane';

/** The part of a kafkajs Producer this sink uses; tests pass their own. */
export interface KafkaProducer {
  connect(): Promise<void>;
  send(record: ProducerRecord): Promise<unknown>;
  disconnect(): Promise<void>;
}

export interface KafkaSinkOptions {
  /** host:port of the bootstrap brokers. */
  brokers: readonly string[];
  clientId?: string;
  /** Where an event type without an entry in `topics` goes. */
  defaultTopic?: string;
  /** Event type → topic, for the types that go elsewhere. */
  topics?: Readonly<Record<string, string>>;
  logger: Logger;
  /** How long the brokers may take to acknowledge one event (all in-sync replicas); default 10 s. */
  requestTimeoutMs?: number;
  /** Instead of kafkajs's producer (tests). */
  producer?: KafkaProducer;
}

/**
 * Publishes each event to Kafka as a structured CloudEvent (the JSON in the value, content-type
 * application/cloudevents+json) with the routing attributes as ce_ headers.
 *
 * Order per tenant: the key is the tenant (aggregate) id, so one tenant's events share a
 * partition (Java-compatible murmur2 partitioner: other clients put the same key in the same
 * place), and the relay sends a tenant's next event only after this one is acknowledged.
 * Durability: acks -1 (every in-sync replica) and an idempotent producer with one request in
 * flight, so kafkajs's own retries neither duplicate nor reorder. That deduplicates only within a
 * producer session: a redelivery by the relay (at least once) is a second record, and consumers
 * deduplicate by ce_id.
 */
export class KafkaSink implements EventSink {
  readonly name = 'kafka';
  private readonly producer: KafkaProducer;
  private readonly defaultTopic: string;
  private readonly topics: ReadonlyMap<string, string>;
  private readonly requestTimeoutMs: number;
  private connected: Promise<void> | undefined;

  constructor(options: KafkaSinkOptions) {
    this.defaultTopic = options.defaultTopic ?? DEFAULT_KAFKA_TOPIC;
    // A Map, not the record: an event type named like an Object.prototype key must not match it.
    this.topics = new Map(Object.entries(options.topics ?? {}));
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.producer = options.producer ?? createProducer(options, this.requestTimeoutMs);
  }

  async deliver(event: CloudEvent, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const topic = this.topicFor(event.type);
    try {
      await this.connect();
      await this.producer.send({
        topic,
        acks: -1,
        timeout: this.requestTimeoutMs,
        messages: [
          {
            key: aggregateIdOf(event),
            value: JSON.stringify(event),
            timestamp: String(Date.parse(event.time)),
            headers: { ...cloudEventHeaders(event, 'ce_'), 'content-type': CLOUDEVENTS_JSON },
          },
        ],
      });
    } catch (error) {
      const failure = kafkaDriverError(error, `kafka send to ${topic}`);
      // The producer may have lost its brokers: connect again at the next delivery (a no-op when it has not).
      if (failure.retryable) this.connected = undefined;
      throw failure;
    }
  }

  topicFor(eventType: string): string {
    return this.topics.get(eventType) ?? this.defaultTopic;
  }

  async close(): Promise<void> {
    const connected = this.connected;
    this.connected = undefined;
    if (connected && (await connected.then(() => true, () => false))) await this.producer.disconnect();
  }

  /** Connects once and shares the connection between deliveries; a failed attempt is forgotten. */
  private connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }
}

function createProducer(options: KafkaSinkOptions, requestTimeoutMs: number): KafkaProducer {
  const kafka = new Kafka({
    clientId: options.clientId ?? DEFAULT_KAFKA_CLIENT_ID,
    brokers: [...options.brokers],
    connectionTimeout: 3000,
    requestTimeout: requestTimeoutMs,
    // Few and short: the relay retries with its own backoff, and cuts a delivery off at half its lease.
    retry: { retries: 2, initialRetryTime: 300, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => logKafkaEntry(options.logger, entry),
  });
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/** kafkajs's log lines through our logger, under their namespace (Connection, Producer...). */
function logKafkaEntry(logger: Logger, { namespace, level, log }: LogEntry): void {
  const { message, timestamp: _timestamp, logger: _name, ...details } = log;
  const line = `kafka ${namespace}: ${message}`;
  if (level === logLevel.ERROR) logger.error({ kafka: details }, line);
  else if (level === logLevel.WARN) logger.warn({ kafka: details }, line);
  else logger.debug({ kafka: details }, line);
}
