import type { TenantFacts } from '../step.js';
import type { AlertRule, Severity } from './prometheus-rule-schema.js';
import { telemetryTenantId } from './telemetry.js';
import { type TenantMetric, SERVICE_METRICS, inNamespace } from './tenant-metrics.js';

/**
 * spec/004 phase 9 "Default Alert Rules", one entry per row of its table, and nothing else.
 *
 * Translations, the only liberties taken: names lose their spaces (Prometheus loads an alert
 * only under a metric-like name; the spec's words stay in `summary`), severities are lower case
 * (the convention Alertmanager routes and inhibits on), and `for` is the row's "for N min".
 * Two rows give no "for": Pod Restart's "in 15 min" is the window the restarts are counted
 * over, not a time to hold, and Disk Usage gives no time at all; both fire at the first
 * evaluation that matches (`0s`), as written, rather than after a delay the spec never chose.
 */
export interface DefaultAlert {
  /** The spec's name, in `summary`. */
  readonly title: string;
  readonly alert: string;
  /** The spec's condition, verbatim, at the head of `description`. */
  readonly condition: string;
  readonly for: string;
  readonly severity: Severity;
}

export const DEFAULT_ALERTS: readonly DefaultAlert[] = [
  { title: 'High CPU', alert: 'HighCPU', condition: 'Pod CPU > 80% for 5 min', for: '5m', severity: 'warning' },
  { title: 'High Memory', alert: 'HighMemory', condition: 'Pod memory > 85% for 5 min', for: '5m', severity: 'warning' },
  { title: 'Pod Restart', alert: 'PodRestart', condition: 'Container restart count > 3 in 15 min', for: '0s', severity: 'critical' },
  { title: 'Error Rate', alert: 'ErrorRate', condition: 'HTTP 5xx rate > 5% for 5 min', for: '5m', severity: 'critical' },
  { title: 'Latency', alert: 'Latency', condition: 'P95 latency > 2s for 5 min', for: '5m', severity: 'warning' },
  { title: 'Disk Usage', alert: 'DiskUsage', condition: 'PVC usage > 85%', for: '0s', severity: 'warning' },
];

/** The HTTP metrics the rules read (tenant-metrics.ts: what the services export). */
export const HTTP_METRICS = { requests: SERVICE_METRICS.requests, durationBuckets: SERVICE_METRICS.durationBuckets } as const;

/**
 * Each row's threshold as a number, in the unit its expression computes (a ratio, seconds, a
 * count), so the dashboards draw the line an alert fires at (grafana-dashboards.ts).
 */
export const ALERT_THRESHOLDS = { HighCPU: 0.8, HighMemory: 0.85, PodRestart: 3, ErrorRate: 0.05, Latency: 2, DiskUsage: 0.85 } as const;

interface Measure {
  expr: string;
  /** What the expression measures, after the spec's words. */
  detail: string;
}

/**
 * PromQL for each row. Per pod or per service, never summed over the namespace, so one hot pod
 * is not averaged away by idle ones. "Pod CPU/memory > N%" is of the pod's limits: every pod
 * has some on Free and Professional (the LimitRange fills them in); a pod without limits has
 * no percentage and cannot match. `container!=""` drops cAdvisor's pod-level sums, which
 * would count every container twice; "POD" is the pause container of older runtimes.
 */
function measures(ns: string): Record<string, Measure> {
  const sel = (metric: TenantMetric, ...m: string[]) => inNamespace(ns, metric, ...m);
  const containers = ['container!=""', 'container!="POD"'];
  const T = ALERT_THRESHOLDS;
  return {
    HighCPU: {
      expr: `sum by (namespace, pod) (rate(${sel('container_cpu_usage_seconds_total', ...containers)}[5m])) / sum by (namespace, pod) (${sel('kube_pod_container_resource_limits', 'resource="cpu"')}) > ${T.HighCPU}`,
      detail: 'Pod {{ $labels.pod }} has used {{ $value | humanizePercentage }} of its CPU limit for 5 minutes.',
    },
    HighMemory: {
      expr: `sum by (namespace, pod) (${sel('container_memory_working_set_bytes', ...containers)}) / sum by (namespace, pod) (${sel('kube_pod_container_resource_limits', 'resource="memory"')}) > ${T.HighMemory}`,
      detail: 'Pod {{ $labels.pod }} has used {{ $value | humanizePercentage }} of its memory limit for 5 minutes.',
    },
    PodRestart: {
      expr: `increase(${sel('kube_pod_container_status_restarts_total')}[15m]) > ${T.PodRestart}`,
      detail: 'Container {{ $labels.container }} of pod {{ $labels.pod }} restarted {{ $value | humanize }} times in the last 15 minutes.',
    },
    ErrorRate: {
      expr: `sum by (namespace, service) (rate(${sel(HTTP_METRICS.requests, 'status_code=~"5.."')}[5m])) / sum by (namespace, service) (rate(${sel(HTTP_METRICS.requests)}[5m])) > ${T.ErrorRate}`,
      detail: 'Service {{ $labels.service }} answered {{ $value | humanizePercentage }} of its HTTP requests with a 5xx status for 5 minutes.',
    },
    Latency: {
      expr: `histogram_quantile(0.95, sum by (namespace, service, le) (rate(${sel(HTTP_METRICS.durationBuckets)}[5m]))) > ${T.Latency}`,
      detail: 'The 95th percentile of HTTP latency of service {{ $labels.service }} has been {{ $value | humanizeDuration }} for 5 minutes.',
    },
    DiskUsage: {
      expr: `max by (namespace, persistentvolumeclaim) (${sel('kubelet_volume_stats_used_bytes')}) / max by (namespace, persistentvolumeclaim) (${sel('kubelet_volume_stats_capacity_bytes')}) > ${T.DiskUsage}`,
      detail: 'Volume claim {{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full.',
    },
  };
}

/** The six rules for one tenant, every expression scoped to its namespace. */
export function defaultAlertRules(tenant: TenantFacts): AlertRule[] {
  const byAlert = measures(tenant.namespace);
  return DEFAULT_ALERTS.map((a) => {
    const m = byAlert[a.alert];
    if (!m) throw new Error(`no expression for alert ${a.alert}`);
    return {
      alert: a.alert,
      expr: m.expr,
      for: a.for,
      // The tenant on the alert itself, so a shared Alertmanager can route it to the right people.
      labels: { severity: a.severity, tenant_id: telemetryTenantId(tenant) },
      annotations: { summary: a.title, description: `${a.condition}. ${m.detail}` },
    };
  });
}
