import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config/load-config.js';
import { REQUEST_LIMIT_VARIABLES } from '../../src/config/request-limit-settings.js';
import { configProblems } from '../support/config-problems.js';


describe('rate limit and lockout settings', () => {
  it('are documented variables of the service', () => {
    for (const name of Object.keys(REQUEST_LIMIT_VARIABLES)) expect(CONFIG_VARIABLES).toHaveProperty(name);
  });

  it('default to 600 requests a minute per credential, 1200 per tenant, and lockouts after 10 sign-ins and 5 codes in 15 minutes', () => {
    expect(loadConfig({}).requestLimits).toEqual({
      perCredential: 600,
      perTenant: 1200,
      windowMs: 60_000,
      loginLockout: { failures: 10, windowMs: 900_000 },
      deletionLockout: { failures: 5, windowMs: 900_000 },
      trustProxy: false,
    });
  });

  it('read every variable, 0 turning a limit or a lockout off', () => {
    const config = loadConfig({
      MATIH_RATE_LIMIT_PER_CREDENTIAL: '0',
      MATIH_RATE_LIMIT_PER_TENANT: '5000',
      MATIH_RATE_LIMIT_WINDOW_S: '10',
      MATIH_LOGIN_LOCKOUT_FAILURES: '0',
      MATIH_LOGIN_LOCKOUT_WINDOW_S: '60',
      MATIH_DELETION_LOCKOUT_FAILURES: '3',
      MATIH_DELETION_LOCKOUT_WINDOW_S: '3600',
      MATIH_TRUST_PROXY: '10.0.0.0/8, 192.168.1.1',
    });
    expect(config.requestLimits).toEqual({
      perCredential: 0,
      perTenant: 5000,
      windowMs: 10_000,
      loginLockout: { failures: 0, windowMs: 60_000 },
      deletionLockout: { failures: 3, windowMs: 3_600_000 },
      trustProxy: ['10.0.0.0/8', '192.168.1.1'],
    });
  });

  it('take true, false or a hop count for the proxies that may name the client address', () => {
    expect(loadConfig({ MATIH_TRUST_PROXY: 'true' }).requestLimits.trustProxy).toBe(true);
    expect(loadConfig({ MATIH_TRUST_PROXY: 'FALSE' }).requestLimits.trustProxy).toBe(false);
    expect(loadConfig({ MATIH_TRUST_PROXY: '2' }).requestLimits.trustProxy).toBe(2);
  });

  it('list every bad value', () => {
    const found = configProblems({
      MATIH_RATE_LIMIT_PER_CREDENTIAL: '-1',
      MATIH_RATE_LIMIT_PER_TENANT: 'lots',
      MATIH_RATE_LIMIT_WINDOW_S: '0',
      MATIH_LOGIN_LOCKOUT_WINDOW_S: '0',
      MATIH_TRUST_PROXY: 'proxy.internal,10.0.0.1/8',
    });
    expect(found).toHaveLength(5);
    expect(found.join('\n')).toContain('MATIH_TRUST_PROXY: "proxy.internal", "10.0.0.1/8" must be addresses or CIDR blocks');
  });
});
