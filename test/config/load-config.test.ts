import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { dedicatedCloudProviders } from '../../src/config/enterprise-settings.js';
import { configProblems } from '../support/config-problems.js';

describe('loadConfig', () => {
  it('has a default for everything', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      tenantPort: 8082,
      infraPort: 8089,
      databaseUrl: undefined,
      bootstrapToken: undefined,
      enabledCloudProviders: ['AZURE', 'AWS', 'GCP'],
      retry: { backoffSeconds: [60, 120, 240], maxRetries: 3 },
      sim: { delayMs: 0, faults: [] },
    });
    expect(config.dataDir).toBe(path.resolve('.matih'));
  });

  it('reads the variables of DESIGN.md section 7', () => {
    const config = loadConfig({
      MATIH_TENANT_PORT: '9000',
      MATIH_INFRA_PORT: '9001',
      MATIH_DATA_DIR: '/tmp/x',
      DATABASE_URL: 'postgres://u@h:5432/d',
      MATIH_BOOTSTRAP_TOKEN: 'b'.repeat(30),
      MATIH_SIM_DELAY_MS: '250',
      MATIH_SIM_FAULTS: 'DEPLOY_CORE_SERVICES=retryable:2,CREATE_DNS_ZONE=permanent',
      MATIH_RETRY_BACKOFF: '1,2,4',
      MATIH_MAX_RETRIES: '5',
      MATIH_CLOUD_PROVIDERS: 'azure',
    });
    expect(config).toMatchObject({
      tenantPort: 9000,
      infraPort: 9001,
      dataDir: '/tmp/x',
      databaseUrl: 'postgres://u@h:5432/d',
      sim: {
        delayMs: 250,
        faults: [
          { step: 'DEPLOY_CORE_SERVICES', kind: 'retryable', times: 2 },
          { step: 'CREATE_DNS_ZONE', kind: 'permanent', times: 0 },
        ],
      },
      retry: { backoffSeconds: [1, 2, 4], maxRetries: 5 },
      enabledCloudProviders: ['AZURE'],
    });
  });

  it('lists every problem in one error', () => {
    try {
      loadConfig({
        MATIH_TENANT_PORT: 'abc',
        MATIH_INFRA_PORT: '70000',
        DATABASE_URL: 'mysql://x',
        MATIH_BOOTSTRAP_TOKEN: 'short',
        MATIH_CLOUD_PROVIDERS: 'AZURE,IBM',
        MATIH_LOG_LEVEL: 'loud',
        MATIH_RETRY_BACKOFF: '1,x',
        MATIH_SIM_FAULTS: 'nope',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of ['MATIH_TENANT_PORT', 'MATIH_INFRA_PORT', 'DATABASE_URL', 'MATIH_BOOTSTRAP_TOKEN', 'MATIH_CLOUD_PROVIDERS', 'MATIH_LOG_LEVEL', 'MATIH_RETRY_BACKOFF', 'MATIH_SIM_FAULTS']) {
        expect(problems).toContain(name);
      }
      expect((error as ConfigError).problems).toHaveLength(8);
    }
  });

  it('delivers events to the log and notifies by log by default', () => {
    expect(loadConfig({}).events).toEqual({
      sinks: ['log'],
      notifier: 'log',
      smtpUrl: undefined,
      smtpFrom: 'matih@localhost',
      relayPollMs: 500,
    });
  });

  it('reads the webhook sink and the SMTP notifier', () => {
    const config = loadConfig({
      MATIH_EVENT_SINKS: 'log, Webhook,log',
      MATIH_WEBHOOK_URL: 'https://hooks.example.com/matih?token=t',
      MATIH_WEBHOOK_SECRET: 's'.repeat(16),
      MATIH_NOTIFIER: 'smtp',
      MATIH_SMTP_URL: 'smtps://user:pass@mail.example.com:465',
      MATIH_SMTP_FROM: 'MATIH <noreply@example.com>',
      MATIH_RELAY_POLL_MS: '50',
    });
    expect(config.events).toEqual({
      sinks: ['log', 'webhook'],
      webhooks: [{ url: 'https://hooks.example.com/matih?token=t', secrets: ['s'.repeat(16)] }],
      notifier: 'smtp',
      smtpUrl: 'smtps://user:pass@mail.example.com:465',
      smtpFrom: 'MATIH <noreply@example.com>',
      relayPollMs: 50,
    });
  });

  it('requires the webhook URL and secret only when the webhook sink is enabled', () => {
    expect(loadConfig({ MATIH_WEBHOOK_SECRET: 'short' }).events.sinks).toEqual(['log']);
    const problems = configProblems({ MATIH_EVENT_SINKS: 'webhook' });
    expect(problems).toEqual([
      'MATIH_WEBHOOK_URL is required when MATIH_EVENT_SINKS includes webhook',
      'MATIH_WEBHOOK_SECRET is required when MATIH_EVENT_SINKS includes webhook',
    ]);
  });

  it('lists every event delivery problem at once, without echoing secrets or URLs', () => {
    const secret = 'too-short-secret'.slice(0, 15);
    const problems = configProblems({
      MATIH_EVENT_SINKS: 'webhook,pigeon',
      MATIH_WEBHOOK_URL: 'ftp://files.example.com/drop',
      MATIH_WEBHOOK_SECRET: secret,
      MATIH_NOTIFIER: 'smtp',
      MATIH_SMTP_URL: 'http://user:hunter2@mail.example.com',
      MATIH_SMTP_FROM: 'nobody',
      MATIH_RELAY_POLL_MS: '0',
    });
    expect(problems).toHaveLength(6);
    const text = problems.join('\n');
    expect(text).toContain('MATIH_EVENT_SINKS: "pigeon" is not one of log, webhook, nats, kafka');
    expect(text).toContain('MATIH_WEBHOOK_URL must be an http:// or https:// URL');
    expect(text).toContain('MATIH_WEBHOOK_SECRET must be at least 16 characters long');
    expect(text).toContain('MATIH_SMTP_URL must be an smtp:// or smtps:// URL');
    expect(text).toContain('MATIH_SMTP_FROM');
    expect(text).toContain('MATIH_RELAY_POLL_MS');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('files.example.com');
  });

  it('requires the SMTP URL for the smtp notifier and refuses unknown notifiers and empty sink lists', () => {
    expect(configProblems({ MATIH_NOTIFIER: 'smtp' })).toEqual(['MATIH_SMTP_URL is required when MATIH_NOTIFIER is smtp']);
    expect(configProblems({ MATIH_NOTIFIER: 'pigeon' })).toEqual(['MATIH_NOTIFIER="pigeon" must be one of log, smtp']);
    expect(configProblems({ MATIH_EVENT_SINKS: ' , ' })).toEqual(['MATIH_EVENT_SINKS must name at least one of log, webhook, nats, kafka']);
  });

  it('runs tenants on the simulated cluster and the control-plane database by default', () => {
    const config = loadConfig({});
    expect(config.cluster).toEqual({ kind: 'simulated' });
    expect(config.tenantDatabases).toEqual({ url: undefined, namePrefix: '' });
    expect(config.secretKey).toBeUndefined();
    expect(config.readyTimeoutMs).toBe(600_000);
    expect(config.verifyTimeoutMs).toBe(30_000);
    // TENANT_DATABASE_URL defaults to the control-plane server when there is one.
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/d' }).tenantDatabases.url).toBe('postgres://u@h/d');
  });

  it('reads the cluster, tenant database and secret key settings', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({
      MATIH_CLUSTER: 'kubernetes',
      KUBECONFIG: '/etc/matih/kubeconfig',
      DATABASE_URL: 'postgres://u@h/control',
      TENANT_DATABASE_URL: 'postgresql://admin@tenants:5432/tenants',
      MATIH_TENANT_DB_PREFIX: 'prod_',
      MATIH_SECRET_KEY: key,
      MATIH_READY_TIMEOUT_S: '120',
      MATIH_VERIFY_TIMEOUT_S: '5',
    });
    expect(config.cluster).toEqual({ kind: 'kubernetes', kubeconfig: '/etc/matih/kubeconfig' });
    expect(config.tenantDatabases).toEqual({ url: 'postgresql://admin@tenants:5432/tenants', namePrefix: 'prod_' });
    expect(config.secretKey).toBe(key);
    expect(config.readyTimeoutMs).toBe(120_000);
    expect(config.verifyTimeoutMs).toBe(5000);
    // In a pod, the service account is enough.
    expect(loadConfig({ MATIH_CLUSTER: 'kubernetes', KUBERNETES_SERVICE_HOST: '10.0.0.1' }).cluster).toEqual({ kind: 'kubernetes', kubeconfig: undefined });
  });

  it('refuses a real cluster without a kubeconfig, bad prefixes and keys, without echoing the key', () => {
    const badKey = 'c2hvcnQta2V5LXRoYXQtaXMtbm90LTMyLWJ5dGVz';
    const problems = configProblems({
      MATIH_CLUSTER: 'kubernetes',
      TENANT_DATABASE_URL: 'mysql://x',
      MATIH_TENANT_DB_PREFIX: 'Prod-',
      MATIH_SECRET_KEY: badKey,
    });
    expect(problems).toHaveLength(4);
    const text = problems.join('\n');
    expect(text).toContain('MATIH_CLUSTER=kubernetes needs KUBECONFIG');
    expect(text).toContain('TENANT_DATABASE_URL');
    expect(text).toContain('MATIH_TENANT_DB_PREFIX');
    expect(text).toContain('MATIH_SECRET_KEY must be 32 random bytes');
    expect(text).not.toContain(badKey);
    expect(configProblems({ MATIH_CLUSTER: 'minikube' })).toEqual(['MATIH_CLUSTER="minikube" must be simulated or kubernetes']);
    expect(configProblems({ MATIH_TENANT_DB_PREFIX: 'pg_x' })).toHaveLength(1);
  });

  it('keeps the audit archive in the database unless a directory is named, and keeps tombstones a year', () => {
    expect(loadConfig({}).lifecycle).toMatchObject({ archiveStore: 'database', tombstoneRetentionDays: 365 });
    expect(loadConfig({ MATIH_ARCHIVE_DIR: '/srv/archive' }).lifecycle).toMatchObject({ archiveStore: 'directory', archiveDir: '/srv/archive' });
    expect(loadConfig({ MATIH_ARCHIVE_STORE: 'directory', MATIH_DATA_DIR: '/var/matih' }).lifecycle).toMatchObject({ archiveStore: 'directory', archiveDir: '/var/matih/archive' });
    expect(loadConfig({ MATIH_TOMBSTONE_RETENTION_DAYS: '0' }).lifecycle.tombstoneRetentionDays).toBe(0);
    const problems = configProblems({ MATIH_ARCHIVE_STORE: 's4', MATIH_TOMBSTONE_RETENTION_DAYS: '-1' });
    expect(problems).toHaveLength(2);
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining('MATIH_TOMBSTONE_RETENTION_DAYS="-1"'), 'MATIH_ARCHIVE_STORE="s4" must be one of database, directory, s3']));
  });

  it('rotates JWT signing keys monthly by default', () => {
    expect(loadConfig({}).jwtKeyRotationDays).toBe(30);
    expect(loadConfig({ MATIH_JWT_KEY_ROTATION_DAYS: '0' }).jwtKeyRotationDays).toBe(0);
    expect(configProblems({ MATIH_JWT_KEY_ROTATION_DAYS: 'monthly' })).toEqual([expect.stringContaining('MATIH_JWT_KEY_ROTATION_DAYS="monthly"')]);
  });

  it('refuses the same port for both APIs', () => {
    expect(() => loadConfig({ MATIH_TENANT_PORT: '9000', MATIH_INFRA_PORT: '9000' })).toThrow(/must differ/);
  });
});


describe('the README', () => {
  it('documents every configuration variable with its default', async () => {
    const { readFile } = await import('node:fs/promises');
    const { CONFIG_VARIABLES } = await import('../../src/config/load-config.js');
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const missing = Object.keys(CONFIG_VARIABLES).filter((name) => !readme.includes(`| \`${name}\` |`));
    expect(missing).toEqual([]);
  });
});

describe('where dedicated infrastructure can be built', () => {
  it('is Azure only once real Azure is involved, every cloud with the simulated or builtin stand-ins', () => {
    expect(dedicatedCloudProviders(loadConfig({}).enterprise)).toEqual(['AZURE', 'AWS', 'GCP']);
    expect(dedicatedCloudProviders(loadConfig({ MATIH_TERRAFORM: 'terraform', MATIH_TERRAFORM_MODULES: 'builtin' }).enterprise)).toEqual(['AZURE', 'AWS', 'GCP']);
    const azure = { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's', MATIH_AZURE_SUBSCRIPTION_ID: 'sub' };
    expect(dedicatedCloudProviders(loadConfig({ ...azure, MATIH_SERVICE_PRINCIPAL: 'azure' }).enterprise)).toEqual(['AZURE']);
  });
});
