import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateHelm } from '../support/helm.js';
import { metricSelectors } from '../support/promql.js';
import { only, parseObjects, template } from './chart-render.js';
import { CONTROL_PLANE_JOB, CONTROL_PLANE_METRICS, DASHBOARD_FILE, SCRAPE_METRICS, queryableNames } from './control-plane-metrics.js';

/**
 * The control plane's own Grafana dashboard (deploy/helm/matih-control-plane/files/dashboards/
 * matih-control-plane.json): a dashboard Grafana can load, its data source a variable, panels
 * laid out without overlap, every query parsed by Prometheus (promtool) and reading only metrics
 * the service exports, of the control plane's job and the chosen namespace, every exported
 * family shown somewhere; and the chart's ConfigMap carrying it to Grafana's sidecar.
 */

interface Target {
  refId: string;
  expr: string;
  datasource?: unknown;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: unknown;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query: unknown;
  datasource?: unknown;
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: Variable[] };
  panels: Panel[];
}

const text = readFileSync(DASHBOARD_FILE, 'utf8');
const dashboard = JSON.parse(text) as Dashboard;
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const graphs = dashboard.panels.filter((p) => p.type !== 'row');
const queries = graphs.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${p.title} (${t.refId})`, expr: t.expr })));

/** The family a series name belongs to: a histogram's _bucket, _sum and _count are its own. */
function familyOf(series: string): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = series.slice(0, -suffix.length);
    if (series.endsWith(suffix) && CONTROL_PLANE_METRICS[base] === 'histogram') return base;
  }
  return series;
}

describe('the control plane Grafana dashboard', () => {
  it('is a dashboard Grafana loads, on the Prometheus data source the viewer picks', () => {
    expect(dashboard.uid).toBe('matih-control-plane');
    expect(dashboard.uid.length).toBeLessThanOrEqual(40);
    expect(dashboard.title).toBe('MATIH control plane');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard).not.toHaveProperty('id');
    const variables = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
    expect(variables.datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(variables.namespace).toMatchObject({ type: 'query', datasource: DATASOURCE });
    expect(JSON.stringify(variables.namespace?.query)).toContain(`label_values(up{job=\\"${CONTROL_PLANE_JOB}\\"}, namespace)`);
    for (const panel of graphs) {
      expect(panel.datasource, panel.title).toEqual(DATASOURCE);
      for (const t of panel.targets ?? []) expect(t.datasource, `${panel.title} (${t.refId})`).toEqual(DATASOURCE);
    }
    // No data source of one particular Grafana written in.
    const uids = [...text.matchAll(/"uid": "([^"]*)"/g)].map((m) => m[1]);
    expect(new Set(uids)).toEqual(new Set(['matih-control-plane', '${datasource}']));
  });

  it('lays its panels out without overlap, with unique ids, a title and a description each, and queries', () => {
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const cells = dashboard.panels.flatMap((p) => Array.from({ length: p.gridPos.h * p.gridPos.w }, (_, k) => `${p.gridPos.x + (k % p.gridPos.w)},${p.gridPos.y + Math.floor(k / p.gridPos.w)}`));
    expect(new Set(cells).size).toBe(cells.length);
    for (const p of dashboard.panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    for (const p of graphs) {
      expect(p.title.length, `panel ${p.id}`).toBeGreaterThan(2);
      expect(p.description?.length ?? 0, p.title).toBeGreaterThan(10);
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(refIds.length, p.title).toBeGreaterThan(0);
      expect(new Set(refIds).size, p.title).toBe(refIds.length);
    }
    expect(new Set(graphs.map((p) => p.title)).size).toBe(graphs.length);
  });

  it(`queries only metrics the service exports, of the control plane's job and the chosen namespace`, () => {
    const known = new Set([...queryableNames(CONTROL_PLANE_METRICS), ...SCRAPE_METRICS]);
    for (const { where, expr } of queries) {
      const selectors = metricSelectors(expr);
      expect(selectors.length, where).toBeGreaterThan(0);
      for (const s of selectors) {
        expect(known.has(s.metric), `${where}: ${s.metric || '(no name)'} is not a metric the control plane exports`).toBe(true);
        expect(s.matchers.slice(0, 2), `${where}: ${s.metric}`).toEqual([`job="${CONTROL_PLANE_JOB}"`, 'namespace="$namespace"']);
      }
    }
  });

  it('shows every metric family the service exports for operators', () => {
    const shown = new Set(queries.flatMap(({ expr }) => metricSelectors(expr).map((s) => familyOf(s.metric))));
    const missing = Object.keys(CONTROL_PLANE_METRICS).filter((family) => !shown.has(family));
    expect(missing, 'families no panel shows').toEqual([]);
    expect(shown.has('up'), 'whether Prometheus reaches each replica').toBe(true);
  });

  const promtool = spawnSync('sh', ['-c', 'command -v promtool']).status === 0;
  it.skipIf(!promtool)(`parses in Prometheus: \`promtool check rules\` accepts every query${promtool ? '' : ' (skipped: promtool is not installed)'}`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'matih-dashboard-'));
    try {
      // As recording rules, the one PromQL file promtool checks offline; Grafana's variables made plain values.
      const plain = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$namespace', 'matih-system');
      const rules = queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: plain(q.expr) }));
      const file = path.join(dir, 'dashboard.yaml');
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
      const check = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
      expect(check.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
      for (const r of rules) expect(r.expr, 'a Grafana variable left unreplaced').not.toContain('$');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const helm = await locateHelm();
describe.skipIf(!helm.path)(`the chart's dashboard ConfigMap${helm.path ? '' : ` (skipped: ${helm.missing ?? 'no helm'})`}`, () => {
  it("carries the dashboard, labelled for Grafana's sidecar, when monitoring.dashboards.enabled", async () => {
    const on = await template(helm.path!, ['--set', 'monitoring.dashboards.enabled=true']);
    expect(on.code, on.stderr).toBe(0);
    const map = only(parseObjects(on.stdout), 'ConfigMap', 'matih-control-plane-dashboards');
    expect(map.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    const data = map.data as Record<string, string>;
    expect(JSON.parse(data['matih-control-plane.json'] ?? '')).toEqual(dashboard);
    const off = await template(helm.path!, []);
    expect(parseObjects(off.stdout).filter((o) => o.metadata.name === 'matih-control-plane-dashboards')).toEqual([]);
  });
});
