import type { TenantFacts } from '../step.js';
import { PROMETHEUS_DATASOURCE } from './grafana-values.js';

/*
 * Grafana's dashboard JSON (schema 39) from the short panel specs grafana-dashboards.ts writes:
 * layout, units, thresholds and targets, so the dashboards' file says what is measured and this
 * one how Grafana wants it drawn.
 */

export interface Query {
  expr: string;
  legend: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  /** A Grafana unit id. */
  unit: 'short' | 'percentunit' | 's' | 'reqps' | 'bytes';
  queries: Query[];
  /** Where the matching alert fires. */
  threshold?: number;
  /** The latest value per series (bar gauge) rather than a time series. */
  latest?: boolean;
}

export interface DashboardSpec {
  /** Grafana's uid (at most 40 characters); also names the ConfigMap. */
  uid: string;
  title: string;
  description: string;
  panels: PanelSpec[];
}

/** The parts of Grafana's dashboard JSON a reader (or a test) of the queries needs to know. */
export interface GrafanaTarget {
  refId: string;
  expr: string;
  legendFormat: string;
}
export interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  targets: GrafanaTarget[];
}
export interface GrafanaDashboard {
  uid: string;
  title: string;
  panels: GrafanaPanel[];
}

function panelJson(p: PanelSpec, index: number): GrafanaPanel & Record<string, unknown> {
  const datasource = { ...PROMETHEUS_DATASOURCE };
  const steps = [{ color: 'green', value: null }, ...(p.threshold === undefined ? [] : [{ color: 'red', value: p.threshold }])];
  return {
    id: index + 1,
    type: p.latest ? 'bargauge' : 'timeseries',
    title: p.title,
    description: p.description,
    datasource,
    // Two panels a row, 12 of Grafana's 24 columns each.
    gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
    fieldConfig: {
      defaults: {
        unit: p.unit,
        min: 0,
        ...(p.latest ? { max: 1 } : {}),
        thresholds: { mode: 'absolute', steps },
        ...(p.threshold === undefined || p.latest ? {} : { custom: { thresholdsStyle: { mode: 'line' } } }),
      },
      overrides: [],
    },
    options: p.latest
      ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, orientation: 'horizontal', displayMode: 'gradient' }
      : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
    targets: p.queries.map((q, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource,
      expr: q.expr,
      legendFormat: q.legend,
      ...(p.latest ? { instant: true, range: false } : { range: true }),
    })),
  };
}

export function dashboardJson(tenant: TenantFacts, d: DashboardSpec): GrafanaDashboard & Record<string, unknown> {
  return {
    uid: d.uid,
    title: d.title,
    description: `${d.description} Namespace ${tenant.namespace}.`,
    tags: ['matih', tenant.namespace],
    timezone: 'browser',
    // Generated: a change made in Grafana would be lost at the next apply.
    editable: false,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [] },
    annotations: { list: [] },
    links: [],
    panels: d.panels.map(panelJson),
  };
}

