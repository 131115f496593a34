import { describe, expect, it } from 'vitest';
import { parseEventSettings } from '../../src/config/event-settings.js';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config/load-config.js';
import { configProblems } from '../support/config-problems.js';


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

describe('event sink settings: webhook endpoints and their Standard Webhooks secrets', () => {
  const b64 = (bytes: number, fill = 7): string => Buffer.alloc(bytes, fill).toString('base64');
  const NEW = `whsec_${b64(32, 1)}`;
  const OLD = `whsec_${b64(24, 2)}`;
  const webhook = (env: Record<string, string>): Record<string, string> => ({ MATIH_EVENT_SINKS: 'webhook', MATIH_WEBHOOK_URL: 'https://hooks.example.com/matih', ...env });

  it('reads one whsec_ secret, or two newest first during a rotation', () => {
    expect(loadConfig(webhook({ MATIH_WEBHOOK_SECRET: NEW })).events.webhooks).toEqual([{ url: 'https://hooks.example.com/matih', secrets: [NEW] }]);
    expect(loadConfig(webhook({ MATIH_WEBHOOK_SECRET: ` ${NEW} , ${OLD} ` })).events.webhooks).toEqual([{ url: 'https://hooks.example.com/matih', secrets: [NEW, OLD] }]);
    // A 64-byte key is the longest the specification allows.
    expect(loadConfig(webhook({ MATIH_WEBHOOK_SECRET: `whsec_${b64(64)}` })).events.webhooks?.[0]?.secrets).toHaveLength(1);
  });

  it('still takes a secret of before (no whsec_) as one secret, commas and all, or as the old one of a rotation', () => {
    const legacy = 'legacy,secret-with,commas';
    expect(loadConfig(webhook({ MATIH_WEBHOOK_SECRET: legacy })).events.webhooks?.[0]?.secrets).toEqual([legacy]);
    expect(loadConfig(webhook({ MATIH_WEBHOOK_SECRET: `${NEW},legacy-secret-0123456789` })).events.webhooks?.[0]?.secrets).toEqual([NEW, 'legacy-secret-0123456789']);
  });

  it('reads further endpoints as MATIH_WEBHOOK_URL_n and MATIH_WEBHOOK_SECRET_n, in their order', () => {
    const config = loadConfig(
      webhook({
        MATIH_WEBHOOK_SECRET: NEW,
        MATIH_WEBHOOK_URL_3: 'http://10.0.0.3/hook',
        MATIH_WEBHOOK_SECRET_3: OLD,
        MATIH_WEBHOOK_URL_2: 'https://crm.example.com/in',
        MATIH_WEBHOOK_SECRET_2: `${OLD},${NEW}`,
      }),
    );
    expect(config.events.webhooks).toEqual([
      { url: 'https://hooks.example.com/matih', secrets: [NEW] },
      { url: 'https://crm.example.com/in', secrets: [OLD, NEW] },
      { url: 'http://10.0.0.3/hook', secrets: [OLD] },
    ]);
    // Unchecked, and left out, while the webhook sink is off.
    expect(loadConfig({ MATIH_WEBHOOK_URL_2: 'nope', MATIH_WEBHOOK_SECRET_9: 'short' }).events.webhooks).toBeUndefined();
  });

  it('names the variable of every bad secret without quoting it', () => {
    const notBase64 = 'whsec_c2VjcmV0-_not*base64';
    const unpadded = `whsec_${b64(32).replace(/=+$/, '')}`;
    const short = `whsec_${b64(16, 9)}`;
    const long = `whsec_${b64(65, 3)}`;
    const problems = configProblems(
      webhook({
        MATIH_WEBHOOK_SECRET: `${notBase64},${short}`,
        MATIH_WEBHOOK_URL_2: 'https://two.example.com/',
        MATIH_WEBHOOK_SECRET_2: unpadded,
        MATIH_WEBHOOK_URL_3: 'https://three.example.com/',
        MATIH_WEBHOOK_SECRET_3: long,
        MATIH_WEBHOOK_URL_4: 'https://four.example.com/',
        MATIH_WEBHOOK_SECRET_4: `${NEW},${OLD},whsec_${b64(40)}`,
        MATIH_WEBHOOK_URL_5: 'https://five.example.com/',
        MATIH_WEBHOOK_SECRET_5: `${NEW},${NEW}`,
      }),
    );
    expect(problems).toEqual([
      'MATIH_WEBHOOK_SECRET: secret 1 must be whsec_ followed by standard base64 (A-Z a-z 0-9 + /, padded with =)',
      expect.stringMatching(/^MATIH_WEBHOOK_SECRET: secret 2 must encode 24 to 64 random bytes after whsec_ \(this one has 16\)/),
      'MATIH_WEBHOOK_SECRET_2 must be whsec_ followed by standard base64 (A-Z a-z 0-9 + /, padded with =)',
      expect.stringMatching(/^MATIH_WEBHOOK_SECRET_3 must encode 24 to 64 random bytes after whsec_ \(this one has 65\)/),
      'MATIH_WEBHOOK_SECRET_4 has 3 secrets: give the current one, and while receivers move to it the previous one (newest first), no more',
      'MATIH_WEBHOOK_SECRET_5 gives the same secret twice',
    ]);
    const text = problems.join('\n');
    for (const secret of [notBase64, unpadded, short, long, NEW, OLD]) expect(text).not.toContain(secret.slice('whsec_'.length));
    expect(text).not.toContain('c2VjcmV0');
  });

  it('pairs every numbered URL with its secret, without gaps or repeats', () => {
    const problems = configProblems(
      webhook({
        MATIH_WEBHOOK_SECRET: NEW,
        MATIH_WEBHOOK_URL_2: 'https://two.example.com/?token=hunter2',
        MATIH_WEBHOOK_SECRET_3: OLD,
        MATIH_WEBHOOK_URL_5: 'https://hooks.example.com/matih',
        MATIH_WEBHOOK_SECRET_5: OLD,
        MATIH_WEBHOOK_URL_1: 'https://one.example.com/',
        MATIH_WEBHOOK_URL_02: 'https://zero-two.example.com/',
        MATIH_WEBHOOK_URL_6: 'ftp://six.example.com/',
        MATIH_WEBHOOK_SECRET_6: OLD,
      }),
    );
    expect(problems).toEqual([
      'MATIH_WEBHOOK_URL_1: further webhook endpoints are numbered 2, 3... (MATIH_WEBHOOK_URL_2); the first is MATIH_WEBHOOK_URL',
      'MATIH_WEBHOOK_URL_02: further webhook endpoints are numbered 2, 3... (MATIH_WEBHOOK_URL_2); the first is MATIH_WEBHOOK_URL',
      'MATIH_WEBHOOK_SECRET_2 is required with MATIH_WEBHOOK_URL_2',
      'MATIH_WEBHOOK_URL_3 is required with MATIH_WEBHOOK_SECRET_3',
      'MATIH_WEBHOOK_URL_5: webhook endpoint 5 is configured but endpoint 4 is not; number them 2, 3... without gaps',
      'MATIH_WEBHOOK_URL_5 is the same URL as MATIH_WEBHOOK_URL: each endpoint gets every event once already',
      'MATIH_WEBHOOK_URL_6 must be an http:// or https:// URL',
    ]);
    expect(problems.join('\n')).not.toMatch(/hunter2|example\.com/);
  });
});
