import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiMetrics } from '../../src/api/metrics.js';
import { namespaceFor } from '../../src/domain/tenant.js';
import type { Tier } from '../../src/domain/tiers.js';
import type { KubeObject } from '../../src/drivers/contract.js';
import {
  CLUSTER_METRICS,
  DASHBOARD_LABEL,
  type GrafanaDashboard,
  METRICS_BY_JOB,
  PROMETHEUS_DATASOURCE,
  type PrometheusRule,
  SCRAPE_JOB,
  SERVICE_METRICS,
  deployMonitoringManifests,
  ownerLabels,
  tenantDashboards,
  validateManifest,
} from '../../src/steps/manifests/index.js';
import type { TenantFacts } from '../../src/steps/step.js';
import { metricSelectors } from '../support/promql.js';

const TIERS = ['FREE', 'PROFESSIONAL', 'ENTERPRISE'] as const;
const UIDS = ['matih-service-health', 'matih-query-latency', 'matih-resource-use'];

function tenant(tier: Tier, slug = 'acme'): TenantFacts {
  return { id: '550e8400-e29b-41d4-a716-446655440000', slug, tier, region: 'eastus', cloudProvider: 'AZURE', adminEmail: 'admin@acme.example', namespace: namespaceFor(slug) };
}

type Json = Record<string, unknown>;
const at = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (o as Json | undefined)?.[k], v);
const releaseValues = (objs: KubeObject[], name: string) => at(objs.find((o) => o.kind === 'HelmRelease' && o.metadata.name === name)?.spec, 'values');
const configMaps = (objs: KubeObject[]) => objs.filter((o) => o.kind === 'ConfigMap');
const queriesOf = (d: GrafanaDashboard) => d.panels.flatMap((p) => p.targets.map((t) => ({ where: `${d.uid}: ${p.title} (${t.refId})`, expr: t.expr })));
const rulesOf = (objs: KubeObject[]) => (objs.find((o) => o.kind === 'PrometheusRule') as unknown as PrometheusRule).spec.groups.flatMap((g) => g.rules);

/**
 * What the tenant Prometheus has, derived from its own values: the scrape jobs it is given, and
 * for each the metric names tenant-metrics.ts says the job brings in, the federation's checked
 * against the match[] it actually asks the platform Prometheus for.
 */
function scrapedMetrics(t: TenantFacts): Set<string> {
  const jobs = at(releaseValues(deployMonitoringManifests(t), 'prometheus'), 'prometheus', 'prometheusSpec', 'additionalScrapeConfigs') as Json[];
  expect(jobs.map((j) => j.job_name).sort()).toEqual(Object.keys(METRICS_BY_JOB).sort());
  const federation = jobs.find((j) => j.job_name === SCRAPE_JOB.platformFederation);
  const federated = (at(federation, 'params', 'match[]') as string[]).map((m) => m.split('{')[0]);
  expect([...federated, 'up'].sort()).toEqual([...(METRICS_BY_JOB[SCRAPE_JOB.platformFederation] ?? [])].sort());
  return new Set(jobs.flatMap((j) => METRICS_BY_JOB[j.job_name as keyof typeof METRICS_BY_JOB] ?? []));
}

describe('the tenant Grafana dashboards', () => {
  it.each(TIERS)('are the same three for a %s tenant, each in a ConfigMap labelled for the sidecar, valid', (tier) => {
    const t = tenant(tier);
    const objs = deployMonitoringManifests(t);
    const maps = configMaps(objs);
    expect(maps.map((m) => m.metadata.name)).toEqual(['grafana-dashboard-service-health', 'grafana-dashboard-query-latency', 'grafana-dashboard-resource-use']);
    for (const [i, m] of maps.entries()) {
      expect(validateManifest(m)).toEqual([]);
      expect(m.metadata.labels).toEqual({ ...ownerLabels(t, 'DEPLOY_MONITORING'), [DASHBOARD_LABEL.key]: DASHBOARD_LABEL.value });
      const data = m.data as Record<string, string>;
      expect(Object.keys(data)).toEqual([`${UIDS[i]}.json`]);
      const dashboard = JSON.parse(data[`${UIDS[i]}.json`] ?? '') as GrafanaDashboard;
      expect(dashboard).toEqual(JSON.parse(JSON.stringify(tenantDashboards(t)[i])));
      expect(dashboard.uid.length).toBeLessThanOrEqual(40);
    }
  });

  it('have the Grafana sidecar load them from the tenant namespace, and query the tenant Prometheus data source', () => {
    const t = tenant('PROFESSIONAL');
    const grafana = releaseValues(deployMonitoringManifests(t), 'grafana');
    expect(at(grafana, 'sidecar', 'dashboards')).toMatchObject({
      enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: ['matih-acme'], resource: 'configmap',
    });
    expect(at(grafana, 'sidecar', 'resources')).toBeDefined();
    const sources = at(grafana, 'datasources', 'datasources.yaml', 'datasources') as Json[];
    expect(sources.find((s) => s.uid === PROMETHEUS_DATASOURCE.uid)).toMatchObject({ type: 'prometheus', url: 'http://prometheus-operated.matih-acme.svc:9090' });
    for (const d of tenantDashboards(t)) {
      for (const p of d.panels as unknown as (Json & { targets: Json[] })[]) {
        expect(p.datasource, p.title as string).toEqual(PROMETHEUS_DATASOURCE);
        for (const target of p.targets) expect(target.datasource).toEqual(PROMETHEUS_DATASOURCE);
      }
    }
  });

  it('lay their panels out without overlap, with unique ids', () => {
    for (const d of tenantDashboards(tenant('FREE'))) {
      const panels = d.panels as (GrafanaDashboard['panels'][number] & { gridPos: { x: number; y: number; w: number; h: number } })[];
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      const cells = panels.flatMap((p) => Array.from({ length: p.gridPos.h * p.gridPos.w }, (_, k) => `${p.gridPos.x + (k % p.gridPos.w)},${p.gridPos.y + Math.floor(k / p.gridPos.w)}`));
      expect(new Set(cells).size, d.uid).toBe(cells.length);
      for (const p of panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
  });
});

describe('every dashboard query and alert rule', () => {
  it.each(TIERS)('names only metrics the tenant Prometheus scrapes, each selected in the tenant namespace (%s)', (tier) => {
    const t = tenant(tier, 'globex');
    const scraped = scrapedMetrics(t);
    const expressions = [
      ...tenantDashboards(t).flatMap(queriesOf),
      ...rulesOf(deployMonitoringManifests(t)).map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
    ];
    expect(expressions.length).toBeGreaterThan(20);
    for (const { where, expr } of expressions) {
      const selectors = metricSelectors(expr);
      expect(selectors.length, where).toBeGreaterThan(0);
      for (const s of selectors) {
        expect(scraped.has(s.metric), `${where}: ${s.metric} is not scraped`).toBe(true);
        expect(s.matchers[0], `${where}: ${s.metric}`).toBe('namespace="matih-globex"');
      }
    }
    expect(JSON.stringify(tenantDashboards(t))).not.toContain('acme');
  });

  it("take the services' metric names from what the control plane's own metrics export (the contract of the matih/* charts)", () => {
    // The registry's declared metrics, read without collecting (which would ask the database).
    const exported = new ApiMetrics(undefined as never).registry.getMetricsAsArray().map((m) => ({ name: m.name, type: (m as unknown as { type: string }).type }));
    const histogram = exported.find((m) => m.type === 'histogram')?.name;
    expect(exported.map((m) => m.name)).toContain(SERVICE_METRICS.requests);
    expect([SERVICE_METRICS.durationBuckets, SERVICE_METRICS.durationSum, SERVICE_METRICS.durationCount]).toEqual(['bucket', 'sum', 'count'].map((s) => `${histogram}_${s}`));
  });

  it('federate exactly the cluster metrics listed, for the tenant namespace only', () => {
    const jobs = at(releaseValues(deployMonitoringManifests(tenant('FREE')), 'prometheus'), 'prometheus', 'prometheusSpec', 'additionalScrapeConfigs') as Json[];
    const matches = at(jobs.find((j) => j.job_name === SCRAPE_JOB.platformFederation), 'params', 'match[]') as string[];
    expect(matches).toEqual(CLUSTER_METRICS.map((m) => `${m}{namespace="matih-acme"}`));
  });

  const promtool = spawnSync('sh', ['-c', 'command -v promtool']).status === 0;
  it.skipIf(!promtool)('parse in Prometheus: `promtool check rules` accepts every dashboard query (skipped: promtool is not installed)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboards-'));
    try {
      const queries = tenantDashboards(tenant('PROFESSIONAL')).flatMap(queriesOf);
      // As recording rules, the one PromQL file promtool checks offline; Grafana's rate window made a plain duration.
      const rules = queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: q.expr.replaceAll('$__rate_interval', '5m') }));
      const file = join(dir, 'dashboards.yaml');
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboards', rules }] }));
      expect(execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' })).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('metricSelectors (test support)', () => {
  it.each([
    ['sum by (namespace, pod) (rate(a{namespace="n", container!=""}[5m])) / sum by (pod) (b{x="a,b}"})', [['a', ['namespace="n"', 'container!=""']], ['b', ['x="a,b}"']]]],
    ['histogram_quantile(0.95, sum by (le) (rate(c_bucket{le!="+Inf"}[$__rate_interval]))) > 2', [['c_bucket', ['le!="+Inf"']]]],
    ['up offset 5m and on (pod) group_left (node) d', [['up', []], ['d', []]]],
    ['topk(3, e) or {__name__="f"}', [['e', []], ['', ['__name__="f"']]]],
  ] as const)('%s', (expr, expected) => {
    expect(metricSelectors(expr).map((s) => [s.metric, s.matchers])).toEqual(expected);
  });
});
