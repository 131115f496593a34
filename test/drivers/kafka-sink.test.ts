import { type AddressInfo, createServer } from 'node:net';
import kafkajs, { type ProducerRecord } from 'kafkajs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type CloudEvent, EventType, toCloudEvent } from '../../src/domain/events.js';
import { newId } from '../../src/domain/ids.js';
import { DriverError } from '../../src/drivers/contract.js';
import { kafkaDriverError } from '../../src/drivers/events/kafka-errors.js';
import { type KafkaProducer, KafkaSink } from '../../src/drivers/events/kafka-sink.js';

/*
 * Request-level tests: no Kafka broker runs here. A recording producer stands in for kafkajs's,
 * and the errors are kafkajs's own classes; one test runs the real kafkajs client against a
 * closed port.
 */

const logger = pino({ level: 'silent' });
const { KafkaJSError, KafkaJSNonRetriableError, KafkaJSProtocolError, KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded } = kafkajs;

/** Records what the sink asks of the producer; `failures` are thrown by the next calls. */
class RecordingProducer implements KafkaProducer {
  readonly sent: ProducerRecord[] = [];
  connects = 0;
  disconnects = 0;
  readonly connectFailures: unknown[] = [];
  readonly sendFailures: unknown[] = [];

  async connect(): Promise<void> {
    this.connects++;
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.connectFailures.length > 0) throw this.connectFailures.shift();
  }

  async send(record: ProducerRecord): Promise<unknown> {
    if (this.sendFailures.length > 0) throw this.sendFailures.shift();
    this.sent.push(record);
    return [{ topicName: record.topic, partition: 0, errorCode: 0 }];
  }

  async disconnect(): Promise<void> {
    this.disconnects++;
  }
}

/** A broker's error answer as kafkajs raises it (its constructor takes the protocol's error entry). */
function protocolError(message: string, type: string, code: number, retriable: boolean): Error {
  return new KafkaJSProtocolError(Object.assign(new Error(message), { type, code, retriable }));
}

function cloudEvent(tenantId: string, type: string): CloudEvent {
  return toCloudEvent({ id: '1', eventId: newId(), aggregateType: 'tenant', aggregateId: tenantId, type, payload: { tenantId }, createdAt: new Date('2030-01-02T03:04:05.678Z'), attempts: 0 });
}

async function failure(work: Promise<unknown>): Promise<DriverError> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DriverError);
  return error as DriverError;
}

describe('Kafka sink (request level, no broker)', () => {
  it('sends each event to its type topic or the default, keyed by tenant, as a structured CloudEvent', async () => {
    const producer = new RecordingProducer();
    const sink = new KafkaSink({ brokers: ['kafka:9092'], logger, producer, topics: { [EventType.TENANT_PROVISIONED]: 'matih.tenant-provisioned' } });
    const tenantId = newId();
    const created = cloudEvent(tenantId, EventType.TENANT_CREATED);
    const provisioned = cloudEvent(tenantId, EventType.TENANT_PROVISIONED);
    await sink.deliver(created);
    await sink.deliver(provisioned);

    expect(producer.sent.map((r) => r.topic)).toEqual(['matih.tenant-events', 'matih.tenant-provisioned']);
    for (const [i, event] of [created, provisioned].entries()) {
      const record = producer.sent[i];
      expect(record?.acks).toBe(-1);
      expect(record?.messages).toHaveLength(1);
      const message = record?.messages[0];
      expect(message?.key).toBe(tenantId);
      expect(JSON.parse(String(message?.value))).toEqual(event);
      expect(message?.timestamp).toBe(String(Date.parse('2030-01-02T03:04:05.678Z')));
      expect(message?.headers).toEqual({
        ce_id: event.id,
        ce_type: event.type,
        ce_source: '/matih/control-plane',
        ce_specversion: '1.0',
        ce_subject: `tenant/${tenantId}`,
        ce_dataschemaversion: '1',
        'content-type': 'application/cloudevents+json',
      });
    }
  });

  it('maps only the configured types, and never a type named like an object key', () => {
    const sink = new KafkaSink({ brokers: ['kafka:9092'], logger, producer: new RecordingProducer(), defaultTopic: 'all', topics: { 'tenant.deleted': 'gone' } });
    expect(sink.topicFor('tenant.deleted')).toBe('gone');
    expect(sink.topicFor('tenant.created')).toBe('all');
    expect(sink.topicFor('constructor')).toBe('all');
  });

  it('connects once, also for concurrent deliveries, and reuses the connection', async () => {
    const producer = new RecordingProducer();
    const sink = new KafkaSink({ brokers: ['kafka:9092'], logger, producer });
    await Promise.all([newId(), newId(), newId()].map((tenant) => sink.deliver(cloudEvent(tenant, EventType.TENANT_CREATED))));
    await sink.deliver(cloudEvent(newId(), EventType.TENANT_CREATED));
    expect(producer.connects).toBe(1);
    expect(producer.sent).toHaveLength(4);
    await sink.close();
    expect(producer.disconnects).toBe(1);
  });

  it('forgets a failed connection attempt and connects again at the next delivery', async () => {
    const producer = new RecordingProducer();
    producer.connectFailures.push(new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 10.0.0.1:9092'), { retryCount: 2, retryTime: 900 }));
    const sink = new KafkaSink({ brokers: ['kafka:9092'], logger, producer });
    const error = await failure(sink.deliver(cloudEvent(newId(), EventType.TENANT_CREATED)));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
    await sink.deliver(cloudEvent(newId(), EventType.TENANT_CREATED));
    expect(producer.connects).toBe(2);
    expect(producer.sent).toHaveLength(1);
  });

  it('makes kafkajs errors retryable or permanent as kafkajs classifies them, reconnecting after a retryable one', async () => {
    const producer = new RecordingProducer();
    const sink = new KafkaSink({ brokers: ['kafka:9092'], logger, producer });
    const send = (): Promise<void> => sink.deliver(cloudEvent(newId(), EventType.TENANT_CREATED));

    producer.sendFailures.push(new KafkaJSError('The producer is disconnected'));
    expect((await failure(send())).retryable).toBe(true);
    expect(producer.connects).toBe(1);

    producer.sendFailures.push(protocolError('Not authorized to access topics: [Topic authorization failed]', 'TOPIC_AUTHORIZATION_FAILED', 29, false));
    const denied = await failure(send());
    expect(denied.retryable).toBe(false);
    expect(denied.message).toBe('kafka send to matih.tenant-events: Not authorized to access topics: [Topic authorization failed] (TOPIC_AUTHORIZATION_FAILED)');
    expect(producer.connects).toBe(2);

    producer.sendFailures.push(protocolError('There is no leader for this topic-partition as we are in the middle of a leadership election', 'LEADER_NOT_AVAILABLE', 5, true));
    expect((await failure(send())).retryable).toBe(true);
    producer.sendFailures.push(new KafkaJSNonRetriableError('The producer is disconnecting'));
    expect((await failure(send())).retryable).toBe(false);
    producer.sendFailures.push(new Error('socket hang up'));
    expect((await failure(send())).retryable).toBe(true);

    await send();
    expect(producer.sent).toHaveLength(1);
  });

  it('classifies kafkajs errors directly', () => {
    expect(kafkaDriverError(new KafkaJSError('request timed out'), 'x').retryable).toBe(true);
    expect(kafkaDriverError(new KafkaJSNonRetriableError('message too large'), 'x').retryable).toBe(false);
    const exhausted = new KafkaJSNumberOfRetriesExceeded(new KafkaJSNonRetriableError('SASL authentication failed'), { retryCount: 0, retryTime: 0 });
    expect(kafkaDriverError(exhausted, 'x').retryable).toBe(false);
    const inner = new DriverError('already classified', false);
    expect(kafkaDriverError(inner, 'x')).toBe(inner);
  });

  it('with the real kafkajs client, an unreachable broker is a retryable error within seconds', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const sink = new KafkaSink({ brokers: [`127.0.0.1:${port}`], logger, requestTimeoutMs: 1000 });
    const started = Date.now();
    const error = await failure(sink.deliver(cloudEvent(newId(), EventType.TENANT_PROVISIONED)));
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^kafka send to matih\.tenant-events: .*(ECONNREFUSED|Connection error)/);
    expect(Date.now() - started).toBeLessThan(10_000);
    await sink.close();
  });
});
