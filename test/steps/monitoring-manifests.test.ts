import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namespaceFor } from '../../src/domain/tenant.js';
import { TIER_PROFILES, type Tier } from '../../src/domain/tiers.js';
import type { KubeObject } from '../../src/drivers/contract.js';
import {
  CLUSTER_METRICS,
  CONFIG_FILE,
  GRAFANA_ADMIN_SECRET,
  INGRESS_CONTROLLER_REPLICAS,
  type PrometheusRule,
  deployCoreServicesManifests,
  deployDataServicesManifests,
  deployIngressControllerManifests,
  deployMonitoringManifests,
  ownerLabels,
  prometheusRuleProblems,
  setupObservabilityManifests,
  validateManifest,
} from '../../src/steps/manifests/index.js';
import type { TenantFacts } from '../../src/steps/step.js';
import { TEST_ENVIRONMENT } from '../support/deploy-environment.js';

const TENANT_ID = '550e8400-e29b-41d4-a716-446655440000';
const TIERS = ['FREE', 'PROFESSIONAL', 'ENTERPRISE'] as const;

function tenant(tier: Tier, slug = 'acme', id = TENANT_ID): TenantFacts {
  return { id, slug, tier, region: 'eastus', cloudProvider: 'AZURE', adminEmail: 'admin@acme.example', namespace: namespaceFor(slug) };
}

const both = (t: TenantFacts) => [...deployMonitoringManifests(t), ...setupObservabilityManifests(t)];
const named = (objs: KubeObject[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name}`);
  return o;
};
const ruleOf = (t: TenantFacts) => named(deployMonitoringManifests(t), 'PrometheusRule', 'tenant-default-alerts') as unknown as PrometheusRule;
const rulesOf = (t: TenantFacts) => ruleOf(t).spec.groups.flatMap((g) => g.rules);
const valuesOf = (objs: KubeObject[], release: string) => (named(objs, 'HelmRelease', release).spec as { values: Record<string, unknown> }).values;
type Json = Record<string, unknown>;
const at = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (o as Json | undefined)?.[k], v);
const configOf = (t: TenantFacts, name: string, file: string) => JSON.parse((named(setupObservabilityManifests(t), 'ConfigMap', name).data as Record<string, string>)[file] ?? '') as Json;

/**
 * spec/004 phase 9 "Default Alert Rules", copied from the spec's table by hand (not from the
 * code), with the threshold and window each condition states.
 */
const SPEC_TABLE = [
  { spec: 'High CPU', alert: 'HighCPU', condition: 'Pod CPU > 80% for 5 min', severity: 'Warning', for: '5m', threshold: '> 0.8' },
  { spec: 'High Memory', alert: 'HighMemory', condition: 'Pod memory > 85% for 5 min', severity: 'Warning', for: '5m', threshold: '> 0.85' },
  { spec: 'Pod Restart', alert: 'PodRestart', condition: 'Container restart count > 3 in 15 min', severity: 'Critical', for: '0s', threshold: '[15m]) > 3' },
  { spec: 'Error Rate', alert: 'ErrorRate', condition: 'HTTP 5xx rate > 5% for 5 min', severity: 'Critical', for: '5m', threshold: '> 0.05' },
  { spec: 'Latency', alert: 'Latency', condition: 'P95 latency > 2s for 5 min', severity: 'Warning', for: '5m', threshold: '> 2' },
  { spec: 'Disk Usage', alert: 'DiskUsage', condition: 'PVC usage > 85%', severity: 'Warning', for: '0s', threshold: '> 0.85' },
];

describe('monitoring and observability manifests', () => {
  it.each(TIERS)('all validate for a %s tenant, the PrometheusRule against its schema too', (tier) => {
    const objs = both(tenant(tier));
    for (const o of objs) expect([...validateManifest(o), ...prometheusRuleProblems(o)]).toEqual([]);
    const kinds = objs.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual([
      'Role/tenant-prometheus', 'RoleBinding/tenant-prometheus', 'HelmRelease/prometheus', 'HelmRelease/grafana',
      'PrometheusRule/tenant-default-alerts', 'AlertmanagerConfig/tenant-alert-routing',
      'ConfigMap/grafana-dashboard-service-health', 'ConfigMap/grafana-dashboard-query-latency', 'ConfigMap/grafana-dashboard-resource-use',
      'ConfigMap/otel-collector-config', 'ConfigMap/loki-tenant-config', 'ConfigMap/tempo-tenant-config',
    ]);
  });

  it('label every object with its tenant and owning step, in the tenant namespace', () => {
    const t = tenant('PROFESSIONAL');
    for (const [objs, step] of [[deployMonitoringManifests(t), 'DEPLOY_MONITORING'], [setupObservabilityManifests(t), 'SETUP_OBSERVABILITY']] as const) {
      for (const o of objs) {
        expect(o.metadata.labels).toMatchObject(ownerLabels(t, step));
        expect(o.metadata.namespace).toBe('matih-acme');
      }
    }
  });

  it('pin the content of every Professional manifest', () => {
    const t = tenant('PROFESSIONAL');
    expect({ DEPLOY_MONITORING: deployMonitoringManifests(t), SETUP_OBSERVABILITY: setupObservabilityManifests(t) }).toMatchSnapshot();
  });

  it.each(TIERS)('are valid for long slugs too (%s)', (tier) => {
    for (const o of both(tenant(tier, 'x'.repeat(40)))) expect([...validateManifest(o), ...prometheusRuleProblems(o)]).toEqual([]);
  });
});

describe('default alert rules', () => {
  it.each(TIERS)('are exactly the six of spec/004 for a %s tenant: names, severities, for', (tier) => {
    const rules = rulesOf(tenant(tier));
    expect(rules.map((r) => ({ alert: r.alert, severity: r.labels.severity, for: r.for, summary: r.annotations.summary }))).toEqual(
      SPEC_TABLE.map((s) => ({ alert: s.alert, severity: s.severity.toLowerCase(), for: s.for, summary: s.spec })),
    );
  });

  it('state each condition in words and in its threshold', () => {
    const rules = rulesOf(tenant('PROFESSIONAL'));
    SPEC_TABLE.forEach((s, i) => {
      expect(rules[i]?.annotations.description.startsWith(`${s.condition}.`), s.alert).toBe(true);
      expect(rules[i]?.expr.endsWith(s.threshold), `${s.alert}: ${rules[i]?.expr}`).toBe(true);
    });
    expect(rules.find((r) => r.alert === 'Latency')?.expr).toMatch(/^histogram_quantile\(0\.95,/);
    expect(rules.find((r) => r.alert === 'ErrorRate')?.expr).toContain('status_code=~"5.."');
  });

  it('scope every selector of every expression to the tenant namespace', () => {
    const rules = rulesOf(tenant('PROFESSIONAL', 'globex'));
    for (const r of rules) {
      const selectors = [...r.expr.matchAll(/([a-z_:][a-z0-9_:]*)\{([^}]*)\}/g)];
      expect(selectors.length, r.alert).toBeGreaterThan(0);
      for (const [, metric, matchers] of selectors) expect(matchers, `${r.alert} ${metric}`).toMatch(/^namespace="matih-globex"(,|$)/);
      // and no selector without braces: once matchers, ranges and `by (...)` are gone, every name left calls something
      const stripped = r.expr.replace(/\{[^}]*\}/g, '{}').replace(/\[[^\]]*\]/g, '').replace(/\bby\s*\([^)]*\)/g, '');
      const bare = [...stripped.matchAll(/([a-z_:][a-z0-9_:]*)\s*(.?)/gi)].filter(([, , next]) => next !== '{' && next !== '(');
      expect(bare.map((m) => m[1]), r.alert).toEqual([]);
      expect(r.labels.tenant_id).toBe(TENANT_ID);
    }
    expect(JSON.stringify(ruleOf(tenant('PROFESSIONAL', 'globex')))).not.toContain('acme');
  });

  const promtool = spawnSync('sh', ['-c', 'command -v promtool']).status === 0;
  it.skipIf(!promtool)('load in Prometheus: `promtool check rules` accepts them (skipped: promtool is not installed)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    try {
      for (const tier of TIERS) {
        const file = join(dir, `${tier}.yaml`);
        // JSON is YAML: the same text the PrometheusRule's groups are.
        writeFileSync(file, JSON.stringify({ groups: ruleOf(tenant(tier)).spec.groups }, null, 2));
        expect(execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' })).toMatch(/SUCCESS: 6 rules found/);
      }
      // and the check is not vacuous: a broken expression fails it
      const bad = ruleOf(tenant('FREE')).spec.groups;
      const first = bad[0]?.rules[0];
      if (first) first.expr = 'sum by (pod (rate(x[5m])';
      const badFile = join(dir, 'bad.yaml');
      writeFileSync(badFile, JSON.stringify({ groups: bad }));
      expect(spawnSync('promtool', ['check', 'rules', badFile]).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('prometheusRuleProblems rejects', () => {
  const good = () => structuredClone(ruleOf(tenant('FREE')));
  const problems = (r: PrometheusRule) => prometheusRuleProblems(r).join('\n');

  it.each([
    ['a `for` that is no duration', (r: PrometheusRule) => { r.spec.groups[0]!.rules[0]!.for = '5 minutes'; }, /for/],
    ['an empty `for`', (r: PrometheusRule) => { r.spec.groups[0]!.rules[0]!.for = ''; }, /for/],
    ['an alert name with a space', (r: PrometheusRule) => { r.spec.groups[0]!.rules[0]!.alert = 'High CPU'; }, /alert/],
    ['an unknown severity', (r: PrometheusRule) => { (r.spec.groups[0]!.rules[0]!.labels as { severity: string }).severity = 'Warning'; }, /severity/],
    ['a misspelt field', (r: PrometheusRule) => { Object.assign(r.spec.groups[0]!.rules[0]!, { fro: '5m' }); }, /fro|additional/i],
    ['an empty expression', (r: PrometheusRule) => { r.spec.groups[0]!.rules[0]!.expr = ''; }, /expr/],
    ['no groups', (r: PrometheusRule) => { r.spec.groups = []; }, /groups/],
    ['a repeated group name', (r: PrometheusRule) => { r.spec.groups.push(structuredClone(r.spec.groups[0]!)); }, /repeated/],
    ['another apiVersion', (r: PrometheusRule) => { Object.assign(r, { apiVersion: 'monitoring.coreos.com/v1beta1' }); }, /apiVersion/],
  ])('%s', (_what, spoil, expected) => {
    const r = good();
    expect(problems(r)).toBe('');
    spoil(r);
    expect(problems(r)).toMatch(expected);
  });

  it('nothing for other kinds', () => {
    expect(prometheusRuleProblems(named(deployMonitoringManifests(tenant('FREE')), 'HelmRelease', 'grafana'))).toEqual([]);
  });
});

describe('the tenant Prometheus and Grafana', () => {
  const t = tenant('PROFESSIONAL');
  const objs = deployMonitoringManifests(t);
  const prom = valuesOf(objs, 'prometheus');
  const spec = at(prom, 'prometheus', 'prometheusSpec') as Json;

  it('come from the prometheus-community and grafana HelmRepositories, pinned to a major', () => {
    const chart = (name: string) => at(named(objs, 'HelmRelease', name).spec, 'chart', 'spec');
    expect(chart('prometheus')).toEqual({ chart: 'kube-prometheus-stack', version: '67.x', sourceRef: { kind: 'HelmRepository', name: 'prometheus-community', namespace: 'flux-system' } });
    expect(chart('grafana')).toEqual({ chart: 'grafana', version: '8.x', sourceRef: { kind: 'HelmRepository', name: 'grafana', namespace: 'flux-system' } });
  });

  it('discover and read rules in the tenant namespace only', () => {
    const own = { matchLabels: { 'kubernetes.io/metadata.name': 'matih-acme' } };
    for (const k of ['serviceMonitor', 'podMonitor', 'probe', 'scrapeConfig', 'rule']) {
      expect(spec[`${k}NamespaceSelector`], k).toEqual(own);
      expect(spec[`${k}SelectorNilUsesHelmValues`], k).toBe(false);
    }
    const [pods, federation] = spec.additionalScrapeConfigs as Json[];
    expect(pods?.kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['matih-acme'] } }]);
    const matches = at(federation, 'params', 'match[]') as string[];
    expect(matches.length).toBe(CLUSTER_METRICS.length);
    for (const m of matches) expect(m).toMatch(/^[a-z_]+\{namespace="matih-acme"\}$/);
    // every cluster-level metric a rule reads is federated
    const federated = new Set(matches.map((m) => m.split('{')[0]));
    const read = rulesOf(t).flatMap((r) => [...r.expr.matchAll(/([a-z_:][a-z0-9_:]*)\{/g)].map((x) => x[1]));
    expect(read.filter((m) => !m?.startsWith('matih_') && !federated.has(m))).toEqual([]);
  });

  it('install nothing cluster-wide: no CRDs, operator, exporters or ClusterRoles', () => {
    for (const k of ['crds', 'prometheusOperator', 'alertmanager', 'grafana', 'kubeStateMetrics', 'nodeExporter']) expect(at(prom, k, 'enabled'), k).toBe(false);
    expect(at(prom, 'global', 'rbac', 'create')).toBe(false);
    expect(at(valuesOf(objs, 'grafana'), 'rbac')).toEqual({ create: true, namespaced: true });
    expect(named(objs, 'RoleBinding', 'tenant-prometheus').subjects).toEqual([{ kind: 'ServiceAccount', name: 'tenant-prometheus', namespace: 'matih-acme' }]);
  });

  it.each([['FREE', '168h'], ['PROFESSIONAL', '720h'], ['ENTERPRISE', '2160h']] as const)('keep %s metrics for %s', (tier, retention) => {
    expect(at(valuesOf(deployMonitoringManifests(tenant(tier)), 'prometheus'), 'prometheus', 'prometheusSpec', 'retention')).toBe(retention);
  });

  it('point Grafana at the tenant Prometheus, and at Loki and Tempo as this tenant', () => {
    const sources = at(valuesOf(objs, 'grafana'), 'datasources', 'datasources.yaml', 'datasources') as Json[];
    expect(sources.map((s) => [s.name, s.url])).toEqual([
      ['Prometheus', 'http://prometheus-operated.matih-acme.svc:9090'],
      ['Loki', 'http://loki-gateway.observability.svc'],
      ['Tempo', 'http://tempo-query-frontend.observability.svc:3200'],
    ]);
    for (const s of sources.slice(1)) {
      expect(s.jsonData).toEqual({ httpHeaderName1: 'X-Scope-OrgID' });
      expect(s.secureJsonData).toEqual({ httpHeaderValue1: TENANT_ID });
    }
  });

  it('take Grafana admin credentials from an existing Secret, and carry no secret inline', () => {
    expect(at(valuesOf(objs, 'grafana'), 'admin')).toEqual({ existingSecret: 'tenant-grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' });
    expect(GRAFANA_ADMIN_SECRET.name).toBe('tenant-grafana-admin');
    const all = both(tenant('PROFESSIONAL'));
    expect(all.filter((o) => o.kind === 'Secret')).toEqual([]);
    // Every key that smells of a credential anywhere (values, configs) names a Secret or a key in one.
    const keys: string[] = [];
    const walk = (v: unknown): void => {
      // Configuration files held as JSON text; `{{pod}}` (a dashboard's legend template) is none.
      if (typeof v === 'string' && v.startsWith('{') && !v.startsWith('{{')) walk(JSON.parse(v));
      if (typeof v !== 'object' || v === null) return;
      for (const [k, child] of Object.entries(v)) {
        if (/pass|secret|token|credential|apikey/i.test(k) && k !== 'secureJsonData') keys.push(k);
        walk(child);
      }
    };
    walk(all);
    expect([...new Set(keys)].sort()).toEqual(['existingSecret', 'passwordKey']);
    expect(JSON.stringify(all)).not.toMatch(/adminPassword|basicAuthPassword/);
  });

  it.each(['FREE', 'PROFESSIONAL'] as const)('fit a %s tenant inside its quota, together with its services and its ingress controller', (tier) => {
    const cpu = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q));
    const mi = (q: string) => (q.endsWith('Gi') ? Number(q.slice(0, -2)) * 1024 : Number(q.slice(0, -2)));
    type R = Record<'requests' | 'limits', { cpu: string; memory: string }>;
    const tt = tenant(tier);
    const services = [...deployCoreServicesManifests(tt, TEST_ENVIRONMENT), ...deployDataServicesManifests(tt, TEST_ENVIRONMENT)]
      .filter((o) => o.kind === 'HelmRelease')
      .map((o) => at(o.spec, 'values', 'resources') as R);
    const mon = deployMonitoringManifests(tt);
    const promSpec = at(valuesOf(mon, 'prometheus'), 'prometheus', 'prometheusSpec') as Json;
    const pods: R[][] = [
      ...services.map((r) => [r]),
      [promSpec.resources as R, ...(promSpec.containers as { resources: R }[]).map((c) => c.resources)],
      // Grafana and its dashboard sidecar.
      [at(valuesOf(mon, 'grafana'), 'resources') as R, at(valuesOf(mon, 'grafana'), 'sidecar', 'resources') as R],
      // spec/004 phase 6: two ingress-nginx controller pods.
      ...Array.from({ length: INGRESS_CONTROLLER_REPLICAS }, () => [at(deployIngressControllerManifests(tt)[0]?.spec, 'values', 'controller', 'resources') as R]),
    ];
    const rs = pods.flat();
    const q = TIER_PROFILES[tier].quota;
    const sum = (f: (r: R) => number) => rs.reduce((n, r) => n + f(r), 0);
    expect(sum((r) => cpu(r.requests.cpu))).toBeLessThanOrEqual(cpu(q.cpuRequests ?? '0'));
    expect(sum((r) => cpu(r.limits.cpu))).toBeLessThanOrEqual(cpu(q.cpuLimits ?? '0'));
    expect(sum((r) => mi(r.requests.memory))).toBeLessThanOrEqual(mi(q.memoryRequests ?? '0Gi'));
    expect(sum((r) => mi(r.limits.memory))).toBeLessThanOrEqual(mi(q.memoryLimits ?? '0Gi'));
    expect(pods.length).toBeLessThanOrEqual(q.pods ?? 0);
  });
});

describe('the observability configuration', () => {
  const t = tenant('PROFESSIONAL');
  const collector = configOf(t, 'otel-collector-config', CONFIG_FILE.collector);

  it('inject the tenant context into every span and log record, overriding what workloads claim', () => {
    expect(at(collector, 'processors', 'resource/tenant-context')).toEqual({
      attributes: [
        { key: 'tenant_id', value: TENANT_ID, action: 'upsert' },
        { key: 'tenant_slug', value: 'acme', action: 'upsert' },
        { key: 'namespace', value: 'matih-acme', action: 'upsert' },
        { key: 'k8s.namespace.name', value: 'matih-acme', action: 'upsert' },
      ],
    });
    const pipelines = at(collector, 'service', 'pipelines') as Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
    expect(Object.keys(pipelines)).toEqual(['traces', 'logs']);
    for (const p of Object.values(pipelines)) {
      expect(p.processors).toContain('resource/tenant-context');
      // every component a pipeline names is declared
      for (const r of p.receivers) expect(at(collector, 'receivers', r)).toBeDefined();
      for (const r of p.processors) expect(at(collector, 'processors', r)).toBeDefined();
      for (const r of p.exporters) expect(at(collector, 'exporters', r)).toBeDefined();
    }
  });

  it('send to Loki and Tempo as this tenant (X-Scope-OrgID)', () => {
    expect(at(collector, 'exporters')).toEqual({
      'otlp/tempo': { endpoint: 'tempo-distributor.observability.svc:4317', tls: { insecure: true }, headers: { 'X-Scope-OrgID': TENANT_ID } },
      'otlphttp/loki': { endpoint: 'http://loki-gateway.observability.svc/otlp', headers: { 'X-Scope-OrgID': TENANT_ID } },
    });
    const other = configOf(tenant('FREE', 'globex', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), 'otel-collector-config', CONFIG_FILE.collector);
    expect(JSON.stringify(other)).not.toContain(TENANT_ID);
  });

  it.each([['FREE', '168h'], ['PROFESSIONAL', '720h'], ['ENTERPRISE', '2160h']] as const)('give a %s tenant Loki and Tempo overrides of its own, kept %s', (tier, retention) => {
    const tt = tenant(tier);
    expect(configOf(tt, 'loki-tenant-config', CONFIG_FILE.overrides)).toEqual({
      overrides: {
        [TENANT_ID]: {
          retention_period: retention,
          otlp_config: { resource_attributes: { attributes_config: [{ action: 'index_label', attributes: ['namespace', 'tenant_id'] }] } },
        },
      },
    });
    expect(at(configOf(tt, 'tempo-tenant-config', CONFIG_FILE.overrides), 'overrides', TENANT_ID, 'compaction')).toEqual({ block_retention: retention });
  });

  it('label each fragment for the platform to gather', () => {
    const roles = setupObservabilityManifests(t).map((o) => o.metadata.labels?.['matih.ai/telemetry']);
    expect(roles).toEqual(['otel-collector', 'loki-overrides', 'tempo-overrides']);
  });
});
