import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TenantNotifications } from '../../src/domain/settings.js';
import { namespaceFor } from '../../src/domain/tenant.js';
import type { KubeObject } from '../../src/drivers/contract.js';
import {
  ALERT_WEBHOOK_SECRET,
  type AlertmanagerConfig,
  type PrometheusRule,
  alertChannels,
  alertmanagerConfigProblems,
  deployMonitoringManifests,
  validateManifest,
} from '../../src/steps/manifests/index.js';
import type { AlertSmtp, TenantFacts } from '../../src/steps/step.js';
import { operatorAlertmanagerConfig } from '../support/alertmanager-operator.js';

const TENANT_ID = '550e8400-e29b-41d4-a716-446655440000';
const SMTP: AlertSmtp = { smarthost: 'smtp-relay.monitoring.svc:25', from: 'MATIH alerts <alerts@matih.example>', requireTls: false };
const WEBHOOK = 'https://hooks.acme.example/alerts?token=s3cr3t-t0ken';
const SLACK = 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXX';

function tenant(notifications?: Partial<TenantNotifications>, slug = 'acme'): TenantFacts {
  return {
    id: TENANT_ID, slug, tier: 'PROFESSIONAL', region: 'eastus', cloudProvider: 'AZURE', adminEmail: `admin@${slug}.example`, namespace: namespaceFor(slug),
    ...(notifications ? { notifications: { email: true, alertEmail: null, webhookUrl: null, ...notifications } } : {}),
  };
}

const routingOf = (objs: KubeObject[]) => objs.filter((o) => o.kind === 'AlertmanagerConfig' || (o.kind === 'Secret' && o.metadata.name === ALERT_WEBHOOK_SECRET.name));
const configOf = (objs: KubeObject[]) => objs.find((o) => o.kind === 'AlertmanagerConfig') as unknown as AlertmanagerConfig;
const receiverOf = (t: TenantFacts, smtp?: AlertSmtp) => configOf(deployMonitoringManifests(t, smtp)).spec.receivers[0];

describe("the tenant's alert routing", () => {
  it('by default: an email to the tenant admin, for the alerts of its namespace only, and valid', () => {
    const objs = deployMonitoringManifests(tenant());
    expect(routingOf(objs).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['AlertmanagerConfig/tenant-alert-routing']);
    const config = configOf(objs);
    expect(config.apiVersion).toBe('monitoring.coreos.com/v1alpha1');
    expect(config.metadata.labels).toMatchObject({ 'matih.ai/tenant-id': TENANT_ID, 'matih.ai/step': 'DEPLOY_MONITORING', 'matih.ai/managed-by': 'tenant-service' });
    expect(config.spec.route).toMatchObject({ receiver: 'tenant', matchers: [{ name: 'namespace', value: 'matih-acme', matchType: '=' }] });
    expect(config.spec.route.routes).toEqual([{ matchers: [{ name: 'severity', value: 'critical', matchType: '=' }], repeatInterval: '1h' }]);
    // No SMTP configured: no relay or sender in the object, the Alertmanager's globals apply.
    expect(config.spec.receivers).toEqual([{ name: 'tenant', emailConfigs: [{ to: 'admin@acme.example', sendResolved: true }] }]);
    expect([...validateManifest(objs.find((o) => o.kind === 'AlertmanagerConfig')!), ...alertmanagerConfigProblems(config)]).toEqual([]);
    expect(alertChannels(tenant())).toEqual(['email']);
  });

  it('send email through the configured relay, as the configured sender, to alertEmail when the tenant set one', () => {
    expect(receiverOf(tenant({ alertEmail: 'oncall@acme.example' }), SMTP)?.emailConfigs).toEqual([
      { to: 'oncall@acme.example', smarthost: 'smtp-relay.monitoring.svc:25', from: 'MATIH alerts <alerts@matih.example>', requireTLS: false, sendResolved: true },
    ]);
  });

  it('add the webhook, its URL only in a Secret the AlertmanagerConfig names, declared before it', () => {
    const t = tenant({ webhookUrl: WEBHOOK });
    const objs = routingOf(deployMonitoringManifests(t, SMTP));
    expect(objs.map((o) => o.kind)).toEqual(['Secret', 'AlertmanagerConfig']);
    const [secret, config] = objs;
    expect(Buffer.from((secret?.data as Record<string, string>).url ?? '', 'base64').toString()).toBe(WEBHOOK);
    expect(secret?.metadata.labels).toMatchObject({ 'matih.ai/step': 'DEPLOY_MONITORING' });
    expect(configOf(objs).spec.receivers[0]?.webhookConfigs).toEqual([{ urlSecret: { name: 'tenant-alert-webhook', key: 'url' }, sendResolved: true }]);
    expect(JSON.stringify(config)).not.toContain('s3cr3t');
    expect(alertChannels(t)).toEqual(['email', 'webhook']);
    for (const o of objs) expect(validateManifest(o)).toEqual([]);
  });

  it("turn a Slack incoming webhook into Slack messages (spec/004's Slack channel)", () => {
    const t = tenant({ webhookUrl: SLACK });
    expect(receiverOf(t)?.slackConfigs).toEqual([{ apiURL: { name: 'tenant-alert-webhook', key: 'url' }, sendResolved: true }]);
    expect(receiverOf(t)?.webhookConfigs).toBeUndefined();
    expect(alertChannels(t)).toEqual(['email', 'slack']);
  });

  it('keep an empty receiver when the tenant switched every channel off: its alerts are dropped, as asked', () => {
    const t = tenant({ email: false });
    expect(receiverOf(t)).toEqual({ name: 'tenant' });
    expect(alertChannels(t)).toEqual([]);
    expect(alertChannels(tenant({ email: false, webhookUrl: WEBHOOK }))).toEqual(['webhook']);
  });

  it('route every default alert: each keeps the namespace label the operator matches on', () => {
    const rule = deployMonitoringManifests(tenant()).find((o) => o.kind === 'PrometheusRule') as unknown as PrometheusRule;
    for (const r of rule.spec.groups.flatMap((g) => g.rules)) {
      // An aggregation without `namespace` in its `by` would strip it and the alert would reach no tenant.
      for (const [, labels] of r.expr.matchAll(/\bby \(([^)]*)\)/g)) expect(labels?.split(',').map((l) => l.trim()), r.alert).toContain('namespace');
    }
  });

  it('have the tenant Prometheus send its alerts to every replica of the platform Alertmanager', () => {
    const prom = deployMonitoringManifests(tenant()).find((o) => o.metadata.name === 'prometheus');
    const spec = (prom?.spec as { values: { prometheus: { prometheusSpec: Record<string, unknown> } } }).values.prometheus.prometheusSpec;
    expect(spec.additionalAlertManagerConfigs).toEqual([{ dns_sd_configs: [{ names: ['_web._tcp.alertmanager-operated.monitoring.svc'], type: 'SRV' }] }]);
  });
});

describe('alertmanagerConfigProblems rejects', () => {
  const good = () => structuredClone(configOf(deployMonitoringManifests(tenant({ webhookUrl: WEBHOOK }))));
  const problems = (c: AlertmanagerConfig) => alertmanagerConfigProblems(c).join('\n');

  it.each([
    ['a webhook URL in the object instead of a Secret', (c: AlertmanagerConfig) => Object.assign(c.spec.receivers[0]!.webhookConfigs![0]!, { url: WEBHOOK }), /url|additional/i],
    ['a route to a receiver not declared', (c: AlertmanagerConfig) => { c.spec.route.receiver = 'ops'; }, /receiver "ops"/],
    ['a child route to a receiver not declared', (c: AlertmanagerConfig) => { c.spec.route.routes![0]!.receiver = 'pager'; }, /receiver "pager"/],
    ['a repeated receiver', (c: AlertmanagerConfig) => { c.spec.receivers.push(structuredClone(c.spec.receivers[0]!)); }, /repeated/],
    ['a misspelt field', (c: AlertmanagerConfig) => { Object.assign(c.spec.route, { repeatInteval: '1h' }); }, /repeatInteval|additional/i],
    ['a duration Alertmanager does not read', (c: AlertmanagerConfig) => { c.spec.route.groupWait = '30 seconds'; }, /groupWait/],
    ['an unknown match type', (c: AlertmanagerConfig) => { (c.spec.route.matchers![0] as { matchType: string }).matchType = '=='; }, /matchType/],
    ['no receivers', (c: AlertmanagerConfig) => { c.spec.receivers = []; }, /receivers/],
    ['another apiVersion', (c: AlertmanagerConfig) => { Object.assign(c, { apiVersion: 'monitoring.coreos.com/v1beta1' }); }, /apiVersion/],
  ])('%s', (_what, spoil, expected) => {
    const c = good();
    expect(problems(c)).toBe('');
    spoil(c);
    expect(problems(c)).toMatch(expected);
  });

  it('nothing for other kinds', () => {
    expect(alertmanagerConfigProblems(deployMonitoringManifests(tenant())[0]!)).toEqual([]);
  });
});

const amtool = spawnSync('sh', ['-c', 'command -v amtool']).status === 0;
describe.skipIf(!amtool)('the Alertmanager configuration the operator generates from it (skipped: amtool is not installed)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertmanager-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const write = (config: unknown) => {
    const file = join(dir, `alertmanager-${n++}.yml`);
    // JSON is YAML: amtool reads the file as the Alertmanager would.
    writeFileSync(file, JSON.stringify(config, null, 2));
    return file;
  };
  const check = (file: string) => spawnSync('amtool', ['check-config', file], { encoding: 'utf8' });
  const routesTo = (file: string, ...labels: string[]) =>
    // stderr captured: amtool warns there that the file overrides an Alertmanager URL no one gave.
    execFileSync('amtool', ['config', 'routes', 'test', `--config.file=${file}`, ...labels], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const routing = (t: TenantFacts, smtp?: AlertSmtp) => routingOf(deployMonitoringManifests(t, smtp));

  it('passes `amtool check-config` for a tenant with the default email only, and one with a webhook', () => {
    for (const t of [tenant(), tenant({ alertEmail: 'oncall@acme.example', webhookUrl: WEBHOOK })]) {
      const result = check(write(operatorAlertmanagerConfig(routing(t, SMTP))));
      expect(result.status, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(/SUCCESS/);
      expect(result.stdout).toMatch(/2 receivers/);
    }
  });

  it('passes with no SMTP configured, the platform Alertmanager\'s globals sending, and a Slack channel', () => {
    const global = { smtp_smarthost: 'smtp.platform.example:587', smtp_from: 'alerts@platform.example' };
    const result = check(write(operatorAlertmanagerConfig(routing(tenant({ webhookUrl: SLACK })), global)));
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it("routes each tenant's alerts to that tenant's channels and no other's", () => {
    const globex = tenant({ email: false, webhookUrl: WEBHOOK }, 'globex');
    const file = write(operatorAlertmanagerConfig([...routing(tenant(), SMTP), ...routing(globex, SMTP)]));
    expect(check(file).status).toBe(0);
    expect(routesTo(file, 'alertname=HighCPU', 'namespace=matih-acme', 'severity=warning')).toBe('matih-acme/tenant-alert-routing/tenant');
    expect(routesTo(file, 'alertname=PodRestart', 'namespace=matih-globex', 'severity=critical')).toBe('matih-globex/tenant-alert-routing/tenant');
    expect(routesTo(file, 'alertname=HighCPU', 'namespace=matih-initech')).toBe('null');
  });

  it('is not vacuous: an email with no relay anywhere, or a route to a missing receiver, fails', () => {
    expect(check(write(operatorAlertmanagerConfig(routing(tenant())))).status).not.toBe(0);
    const broken = operatorAlertmanagerConfig(routing(tenant(), SMTP));
    (broken.route as { routes: { receiver: string }[] }).routes[0]!.receiver = 'matih-acme/tenant-alert-routing/nobody';
    expect(check(write(broken)).status).not.toBe(0);
  });
});
