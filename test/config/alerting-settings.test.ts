import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
};

describe('alert email settings (MATIH_ALERT_SMTP_*)', () => {
  it("default to nothing: the platform Alertmanager's own SMTP settings send", () => {
    expect(loadConfig({}).alerting).toEqual({ smtp: {} });
  });

  it('read the relay, the sender and the TLS requirement', () => {
    const config = loadConfig({
      MATIH_ALERT_SMTP_SMARTHOST: 'smtp-relay.monitoring.svc:25',
      MATIH_ALERT_SMTP_FROM: 'MATIH alerts <alerts@matih.example>',
      MATIH_ALERT_SMTP_REQUIRE_TLS: 'false',
    });
    expect(config.alerting.smtp).toEqual({ smarthost: 'smtp-relay.monitoring.svc:25', from: 'MATIH alerts <alerts@matih.example>', requireTls: false });
    expect(loadConfig({ MATIH_ALERT_SMTP_SMARTHOST: '[2001:db8::25]:587' }).alerting.smtp).toEqual({ smarthost: '[2001:db8::25]:587' });
  });

  it('refuse what Alertmanager would not take, naming the variable', () => {
    expect(problemsOf({ MATIH_ALERT_SMTP_SMARTHOST: 'smtp-relay.monitoring.svc' })).toEqual([expect.stringMatching(/^MATIH_ALERT_SMTP_SMARTHOST=.* must be host:port/)]);
    expect(problemsOf({ MATIH_ALERT_SMTP_SMARTHOST: 'relay:70000' })).toEqual([expect.stringMatching(/^MATIH_ALERT_SMTP_SMARTHOST/)]);
    expect(problemsOf({ MATIH_ALERT_SMTP_FROM: 'alerts' })).toEqual([expect.stringMatching(/^MATIH_ALERT_SMTP_FROM=/)]);
    expect(problemsOf({ MATIH_ALERT_SMTP_REQUIRE_TLS: 'sometimes' })).toEqual([expect.stringMatching(/^MATIH_ALERT_SMTP_REQUIRE_TLS=/)]);
  });
});
