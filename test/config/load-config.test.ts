import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';

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

  it('refuses the same port for both APIs', () => {
    expect(() => loadConfig({ MATIH_TENANT_PORT: '9000', MATIH_INFRA_PORT: '9000' })).toThrow(/must differ/);
  });
});
