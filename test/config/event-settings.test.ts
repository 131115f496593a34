import { describe, expect, it } from 'vitest';
import { parseEventSettings } from '../../src/config/event-settings.js';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../src/config/load-config.js';

function configProblems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('event sink settings: NATS and Kafka', () => {
  it('reads every variable it uses from the documented list, with its default', () => {
    const asked: string[] = [];
    const read = (name: string): string => {
      asked.push(name);
      return name === 'MATIH_EVENT_SINKS' ? 'log,nats,kafka' : (CONFIG_VARIABLES as Record<string, string>)[name] ?? '';
    };
    parseEventSettings(read, []);
    expect(asked).toEqual(expect.arrayContaining(['MATIH_NATS_URL', 'MATIH_NATS_STREAM', 'MATIH_NATS_SUBJECT_PREFIX', 'MATIH_KAFKA_BROKERS', 'MATIH_KAFKA_TOPIC', 'MATIH_KAFKA_TOPICS', 'MATIH_KAFKA_CLIENT_ID']));
    expect(asked.filter((name) => !(name in CONFIG_VARIABLES))).toEqual([]);
  });

  it('leaves NATS and Kafka out, and unchecked, unless their sink is enabled', () => {
    const config = loadConfig({ MATIH_NATS_STREAM: 'not a stream', MATIH_KAFKA_TOPIC: '..' });
    expect(config.events.sinks).toEqual(['log']);
    expect(config.events.nats).toBeUndefined();
    expect(config.events.kafka).toBeUndefined();
  });

  it('accepts nats and kafka as sinks, in the order given', () => {
    const config = loadConfig({
      MATIH_EVENT_SINKS: 'Kafka, log, NATS, kafka',
      MATIH_NATS_URL: 'nats://127.0.0.1:4222',
      MATIH_KAFKA_BROKERS: 'kafka-1:9092',
    });
    expect(config.events.sinks).toEqual(['kafka', 'log', 'nats']);
  });

  it('reads the NATS settings with their defaults, or as given', () => {
    expect(loadConfig({ MATIH_EVENT_SINKS: 'nats', MATIH_NATS_URL: 'nats://127.0.0.1:4222' }).events.nats).toEqual({
      url: 'nats://127.0.0.1:4222',
      stream: 'MATIH_EVENTS',
      subjectPrefix: 'matih.events',
    });
    const given = loadConfig({
      MATIH_EVENT_SINKS: 'nats',
      MATIH_NATS_URL: 'tls://app:secret@nats-1:4222,tls://app:secret@nats-2:4222',
      MATIH_NATS_STREAM: 'ACME-EVENTS_1',
      MATIH_NATS_SUBJECT_PREFIX: 'acme.control-plane.events',
    });
    expect(given.events.nats).toEqual({
      url: 'tls://app:secret@nats-1:4222,tls://app:secret@nats-2:4222',
      stream: 'ACME-EVENTS_1',
      subjectPrefix: 'acme.control-plane.events',
    });
  });

  it('reads the Kafka settings with their defaults, or as given', () => {
    expect(loadConfig({ MATIH_EVENT_SINKS: 'kafka', MATIH_KAFKA_BROKERS: 'kafka-1:9092' }).events.kafka).toEqual({
      brokers: ['kafka-1:9092'],
      clientId: 'matih-control-plane',
      defaultTopic: 'matih.tenant-events',
      topics: {},
    });
    const given = loadConfig({
      MATIH_EVENT_SINKS: 'kafka',
      MATIH_KAFKA_BROKERS: ' kafka-1.example.com:9092, 10.0.0.7:9093 ,[fd00::7]:9094',
      MATIH_KAFKA_TOPIC: 'acme_events',
      MATIH_KAFKA_TOPICS: 'tenant.provisioned = acme.provisioned, tenant.provisioning.failed=acme.failed',
      MATIH_KAFKA_CLIENT_ID: 'acme-cp.eu-1',
    });
    expect(given.events.kafka).toEqual({
      brokers: ['kafka-1.example.com:9092', '10.0.0.7:9093', '[fd00::7]:9094'],
      clientId: 'acme-cp.eu-1',
      defaultTopic: 'acme_events',
      topics: { 'tenant.provisioned': 'acme.provisioned', 'tenant.provisioning.failed': 'acme.failed' },
    });
  });

  it('requires the NATS URL and the Kafka brokers only when their sink is enabled', () => {
    expect(configProblems({ MATIH_EVENT_SINKS: 'nats,kafka' })).toEqual([
      'MATIH_NATS_URL is required when MATIH_EVENT_SINKS includes nats',
      'MATIH_KAFKA_BROKERS is required when MATIH_EVENT_SINKS includes kafka',
    ]);
    expect(configProblems({ MATIH_EVENT_SINKS: 'nats', MATIH_NATS_URL: ' , ' })).toEqual(['MATIH_NATS_URL is required when MATIH_EVENT_SINKS includes nats']);
  });

  it('names the four sinks when one is unknown', () => {
    expect(configProblems({ MATIH_EVENT_SINKS: 'log,pigeon' })).toEqual(['MATIH_EVENT_SINKS: "pigeon" is not one of log, webhook, nats, kafka']);
    expect(configProblems({ MATIH_EVENT_SINKS: ' , ' })).toEqual(['MATIH_EVENT_SINKS must name at least one of log, webhook, nats, kafka']);
  });

  it('lists every NATS and Kafka problem at once, without echoing URLs or credentials', () => {
    const problems = configProblems({
      MATIH_EVENT_SINKS: 'nats,kafka',
      MATIH_NATS_URL: 'nats://app:hunter2@nats-1:4222,http://app:hunter2@nats-2:8222',
      MATIH_NATS_STREAM: 'MATIH.EVENTS',
      MATIH_NATS_SUBJECT_PREFIX: 'matih.*',
      MATIH_KAFKA_BROKERS: 'kafka-1:9092,admin:s3cret@kafka-2:9092,kafka-3',
      MATIH_KAFKA_TOPIC: 'bad topic',
      MATIH_KAFKA_TOPICS: 'tenant.provisioned=ok,tenant.provisoned=typo,tenant.created,tenant.created=a=b,tenant.provisioned=again,tenant.provisioning.failed=bad/topic',
      MATIH_KAFKA_CLIENT_ID: 'has space',
    });
    expect(problems).toEqual([
      'MATIH_NATS_URL must be one or more nats:// or tls:// URLs, comma-separated',
      'MATIH_NATS_STREAM="MATIH.EVENTS" must be 1 to 64 letters, digits, _ or -',
      'MATIH_NATS_SUBJECT_PREFIX="matih.*" must be dot-separated tokens of letters, digits, _ or - (no wildcards), such as matih.events',
      'MATIH_KAFKA_BROKERS: entry 2 must be host:port',
      'MATIH_KAFKA_BROKERS: entry 3 must be host:port',
      'MATIH_KAFKA_TOPIC="bad topic" must be a Kafka topic name (letters, digits, . _ -, up to 249)',
      expect.stringMatching(/^MATIH_KAFKA_TOPICS: "tenant\.provisoned" is not an event type \(tenant\.created, .*tenant\.provisioned/),
      'MATIH_KAFKA_TOPICS: "tenant.created" must be eventtype=topic',
      'MATIH_KAFKA_TOPICS: "tenant.created=a=b" must be eventtype=topic',
      'MATIH_KAFKA_TOPICS: "tenant.provisioned" is given twice',
      'MATIH_KAFKA_TOPICS: "bad/topic" is not a Kafka topic name',
      'MATIH_KAFKA_CLIENT_ID="has space" must be 1 to 100 letters, digits, . _ or -',
    ]);
    const text = problems.join('\n');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('nats-1');
  });

  it('refuses a port out of range and the topic names Kafka reserves', () => {
    expect(configProblems({ MATIH_EVENT_SINKS: 'kafka', MATIH_KAFKA_BROKERS: 'kafka-1:0,kafka-2:65536', MATIH_KAFKA_TOPIC: '.' })).toEqual([
      'MATIH_KAFKA_BROKERS: entry 1 must be host:port',
      'MATIH_KAFKA_BROKERS: entry 2 must be host:port',
      'MATIH_KAFKA_TOPIC="." must be a Kafka topic name (letters, digits, . _ -, up to 249)',
    ]);
  });
});
