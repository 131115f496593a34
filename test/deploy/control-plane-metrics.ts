import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CHART } from './chart-render.js';

/**
 * What the control plane's own alert rules and Grafana dashboard (both in the chart, under
 * files/) are held to: the metric families the service exports on /metrics, by name and type.
 * test/deploy/control-plane-metrics.test.ts proves this list against the /metrics of a real
 * service process; the rule and dashboard tests check every name they use against it, so a
 * renamed metric fails them here rather than leaving a dashboard blank and an alert silent.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

export const CONTROL_PLANE_METRICS: Readonly<Record<string, MetricType>> = {
  // The API (src/api/metrics.ts).
  matih_http_requests_total: 'counter',
  matih_http_request_duration_seconds: 'histogram',
  // Read from the database: the same on every replica.
  matih_tenants: 'gauge',
  matih_provisioning_jobs: 'gauge',
  matih_provisioning_jobs_stuck: 'gauge',
  matih_outbox_undelivered_events: 'gauge',
  matih_outbox_oldest_undelivered_age_seconds: 'gauge',
  matih_reconcile_last_sweep_timestamp_seconds: 'gauge',
  matih_step_timeout_seconds: 'gauge',
  // Per replica.
  matih_ready: 'gauge',
  matih_job_duration_seconds: 'histogram',
  matih_step_duration_seconds: 'histogram',
  matih_step_retries_total: 'counter',
  matih_rollbacks_total: 'counter',
  matih_lease_losses_total: 'counter',
  matih_reconcile_sweep_duration_seconds: 'histogram',
  matih_reconcile_drift_found_total: 'counter',
  matih_driver_errors_total: 'counter',
  // prom-client's process metrics, with the service's prefix.
  matih_process_cpu_seconds_total: 'counter',
  matih_process_resident_memory_bytes: 'gauge',
  matih_nodejs_heap_size_used_bytes: 'gauge',
  matih_nodejs_eventloop_lag_seconds: 'gauge',
  matih_nodejs_eventloop_lag_p99_seconds: 'gauge',
};

/** Prometheus' own series about each target (whether the scrape answered). */
export const SCRAPE_METRICS: readonly string[] = ['up'];

/** The job name every selector names: the chart's ServiceMonitor gives it to every install. */
export const CONTROL_PLANE_JOB = 'matih-control-plane';

/** The names a query may use for these families: a histogram's _bucket, _sum and _count series. */
export function queryableNames(families: Readonly<Record<string, MetricType>>): Set<string> {
  return new Set(
    Object.entries(families).flatMap(([name, type]) => (type === 'histogram' ? ['bucket', 'sum', 'count'].map((s) => `${name}_${s}`) : [name])),
  );
}

/** The families a /metrics answer declares (`# TYPE name type`). */
export function declaredFamilies(exposition: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) found.set(match[1]!, match[2]!);
  return found;
}

export const RULE_FILE = path.join(CHART, 'files', 'prometheus-rules.yaml');
export const DASHBOARD_FILE = path.join(CHART, 'files', 'dashboards', 'matih-control-plane.json');

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function alertRules(file = RULE_FILE): AlertRule[] {
  const doc = parseYaml(readFileSync(file, 'utf8')) as { groups: { rules: AlertRule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}
