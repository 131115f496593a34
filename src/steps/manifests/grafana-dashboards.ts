import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { StepName } from '../../domain/plans.js';
import type { KubeObject } from '../../drivers/contract.js';
import type { CORE_SERVICES } from '../support/services.js';
import type { TenantFacts } from '../step.js';
import { ALERT_THRESHOLDS } from './alert-rules.js';
import { type DashboardSpec, type GrafanaDashboard, dashboardJson } from './grafana-dashboard-json.js';
import { DASHBOARD_LABEL } from './grafana-values.js';
import { tenantMeta, toKubeObject } from './object-meta.js';
import { configText } from './telemetry.js';
import { SCRAPE_JOB, SERVICE_METRICS, type TenantMetric, inNamespace } from './tenant-metrics.js';

/**
 * spec/004 phase 9 "Configure Grafana dashboards for tenant metrics": service health, query
 * latency and resource use against quota, as Grafana dashboard JSON in ConfigMaps the Grafana
 * chart's sidecar loads (grafana-values.ts). Generated here, not kept as JSON files: every query
 * is scoped to the tenant's namespace through tenant-metrics.ts, like the alert rules, and a test
 * holds every panel's metric names to what the tenant Prometheus scrapes.
 *
 * The same three dashboards on every tier: the six alerts are the same on every tier, and a
 * dashboard is what an alert's reader opens next. What differs by tier is what resources are
 * measured against: the quota lines come from the namespace's ResourceQuota (kube-state-metrics'
 * kube_resourcequota), so a tenant without one (Enterprise, unless its configuration sets one)
 * sees its use against its pods' requests and limits only, with no empty promise of a quota.
 * Panels that mirror an alert draw the line it fires at (alert-rules.ts' thresholds).
 */

/** Grafana's own rate window: at least four scrape intervals whatever the zoom. */
const RATE = '[$__rate_interval]';
/** The query engine's release, whose HTTP requests are the tenant's queries. */
const QUERY_SERVICE = 'query-engine' satisfies (typeof CORE_SERVICES)[number];
/** As the alert rules: cAdvisor's pod-level sums and the pause container would count twice. */
const CONTAINERS = ['container!=""', 'container!="POD"'];

function serviceHealth(sel: Selector): DashboardSpec {
  const requests = (...m: string[]) => `rate(${sel(SERVICE_METRICS.requests, ...m)}${RATE})`;
  return {
    uid: 'matih-service-health',
    title: 'Service health',
    description: 'Are the services up, answering, and answering well?',
    panels: [
      {
        title: 'Pods answering their scrape, by service',
        description: 'Pods of each service whose last scrape succeeded.',
        unit: 'short',
        queries: [{ expr: `sum by (service) (${sel('up', `job="${SCRAPE_JOB.tenantPods}"`)})`, legend: '{{service}}' }],
      },
      {
        title: 'Replicas available and desired',
        description: 'Each deployment: replicas ready to serve against the replicas it asks for.',
        unit: 'short',
        queries: [
          { expr: `sum by (deployment) (${sel('kube_deployment_status_replicas_available')})`, legend: '{{deployment}} available' },
          { expr: `sum by (deployment) (${sel('kube_deployment_spec_replicas')})`, legend: '{{deployment}} desired' },
        ],
      },
      {
        title: 'Requests per second, by service',
        description: 'HTTP requests answered.',
        unit: 'reqps',
        queries: [{ expr: `sum by (service) (${requests()})`, legend: '{{service}}' }],
      },
      {
        title: 'HTTP 5xx ratio, by service',
        description: 'Share of requests answered with a 5xx status; the ErrorRate alert fires above the line for 5 minutes.',
        unit: 'percentunit',
        threshold: ALERT_THRESHOLDS.ErrorRate,
        queries: [{ expr: `sum by (service) (${requests('status_code=~"5.."')}) / sum by (service) (${requests()})`, legend: '{{service}}' }],
      },
      {
        title: 'Container restarts in 15 minutes',
        description: 'The PodRestart alert fires above the line.',
        unit: 'short',
        threshold: ALERT_THRESHOLDS.PodRestart,
        queries: [{ expr: `sum by (pod, container) (increase(${sel('kube_pod_container_status_restarts_total')}[15m]))`, legend: '{{pod}}/{{container}}' }],
      },
      {
        title: 'Volume use',
        description: 'Each volume claim: bytes used of its capacity; the DiskUsage alert fires above the line.',
        unit: 'percentunit',
        threshold: ALERT_THRESHOLDS.DiskUsage,
        queries: [
          {
            expr: `max by (persistentvolumeclaim) (${sel('kubelet_volume_stats_used_bytes')}) / max by (persistentvolumeclaim) (${sel('kubelet_volume_stats_capacity_bytes')})`,
            legend: '{{persistentvolumeclaim}}',
          },
        ],
      },
    ],
  };
}

function queryLatency(sel: Selector): DashboardSpec {
  const buckets = (...m: string[]) => `rate(${sel(SERVICE_METRICS.durationBuckets, ...m)}${RATE})`;
  const engine = `service="${QUERY_SERVICE}"`;
  return {
    uid: 'matih-query-latency',
    title: 'Query latency',
    description: `How long queries take: the ${QUERY_SERVICE}'s requests, then every service's.`,
    panels: [
      {
        title: 'Query engine latency: P50, P95, P99',
        description: 'The Latency alert fires when a service\'s P95 stays above the line for 5 minutes.',
        unit: 's',
        threshold: ALERT_THRESHOLDS.Latency,
        queries: [0.5, 0.95, 0.99].map((q) => ({ expr: `histogram_quantile(${q}, sum by (le) (${buckets(engine)}))`, legend: `P${Math.round(q * 100)}` })),
      },
      {
        title: 'Query engine P95 latency, by route',
        description: 'Which of its endpoints is slow.',
        unit: 's',
        threshold: ALERT_THRESHOLDS.Latency,
        queries: [{ expr: `histogram_quantile(0.95, sum by (route, le) (${buckets(engine)}))`, legend: '{{route}}' }],
      },
      {
        title: 'Query engine requests per second, by status',
        description: 'Queries answered, by HTTP status code.',
        unit: 'reqps',
        queries: [{ expr: `sum by (status_code) (rate(${sel(SERVICE_METRICS.requests, engine)}${RATE}))`, legend: '{{status_code}}' }],
      },
      {
        title: 'P95 latency, by service',
        description: 'What the Latency alert watches.',
        unit: 's',
        threshold: ALERT_THRESHOLDS.Latency,
        queries: [{ expr: `histogram_quantile(0.95, sum by (service, le) (${buckets()}))`, legend: '{{service}}' }],
      },
      {
        title: 'Mean latency, by service',
        description: 'Total time spent answering over requests answered.',
        unit: 's',
        queries: [
          {
            expr: `sum by (service) (rate(${sel(SERVICE_METRICS.durationSum)}${RATE})) / sum by (service) (rate(${sel(SERVICE_METRICS.durationCount)}${RATE}))`,
            legend: '{{service}}',
          },
        ],
      },
    ],
  };
}

function resourceUse(sel: Selector): DashboardSpec {
  const quota = (resource: string, type: 'hard' | 'used') => `sum(${sel('kube_resourcequota', `resource="${resource}"`, `type="${type}"`)})`;
  const declared = (metric: 'kube_pod_container_resource_requests' | 'kube_pod_container_resource_limits', resource: string) => `sum(${sel(metric, `resource="${resource}"`)})`;
  const cpuUsed = (by: string) => `sum${by} (rate(${sel('container_cpu_usage_seconds_total', ...CONTAINERS)}${RATE}))`;
  const memoryUsed = (by: string) => `sum${by} (${sel('container_memory_working_set_bytes', ...CONTAINERS)})`;
  const noQuota = 'The quota lines are empty where the namespace has no ResourceQuota (Enterprise).';
  return {
    uid: 'matih-resource-use',
    title: 'Resource use against quota',
    description: "What the tenant's pods use, ask for and are limited to, against the namespace's quota.",
    panels: [
      {
        title: 'CPU: used, requested, limited, quota (cores)',
        description: noQuota,
        unit: 'short',
        queries: [
          { expr: cpuUsed(''), legend: 'used' },
          { expr: declared('kube_pod_container_resource_requests', 'cpu'), legend: 'requested' },
          { expr: declared('kube_pod_container_resource_limits', 'cpu'), legend: 'limits' },
          { expr: quota('requests.cpu', 'hard'), legend: 'quota: requests' },
          { expr: quota('limits.cpu', 'hard'), legend: 'quota: limits' },
        ],
      },
      {
        title: 'Memory: working set, requested, limited, quota',
        description: noQuota,
        unit: 'bytes',
        queries: [
          { expr: memoryUsed(''), legend: 'working set' },
          { expr: declared('kube_pod_container_resource_requests', 'memory'), legend: 'requested' },
          { expr: declared('kube_pod_container_resource_limits', 'memory'), legend: 'limits' },
          { expr: quota('requests.memory', 'hard'), legend: 'quota: requests' },
          { expr: quota('limits.memory', 'hard'), legend: 'quota: limits' },
        ],
      },
      {
        title: 'Quota used, by resource',
        description: 'Each resource the quota bounds: what is taken of it. At 100% the API server refuses new pods.',
        unit: 'percentunit',
        latest: true,
        queries: [{ expr: `max by (resource) (${sel('kube_resourcequota', 'type="used"')}) / max by (resource) (${sel('kube_resourcequota', 'type="hard"')})`, legend: '{{resource}}' }],
      },
      {
        title: 'Pods against quota',
        description: noQuota,
        unit: 'short',
        queries: [
          { expr: quota('pods', 'used'), legend: 'pods' },
          { expr: quota('pods', 'hard'), legend: 'quota' },
        ],
      },
      {
        title: 'CPU by pod, of its limit',
        description: 'The HighCPU alert fires when a pod stays above the line for 5 minutes.',
        unit: 'percentunit',
        threshold: ALERT_THRESHOLDS.HighCPU,
        queries: [{ expr: `${cpuUsed(' by (pod)')} / sum by (pod) (${sel('kube_pod_container_resource_limits', 'resource="cpu"')})`, legend: '{{pod}}' }],
      },
      {
        title: 'Memory by pod, of its limit',
        description: 'The HighMemory alert fires when a pod stays above the line for 5 minutes.',
        unit: 'percentunit',
        threshold: ALERT_THRESHOLDS.HighMemory,
        queries: [{ expr: `${memoryUsed(' by (pod)')} / sum by (pod) (${sel('kube_pod_container_resource_limits', 'resource="memory"')})`, legend: '{{pod}}' }],
      },
    ],
  };
}

type Selector = (metric: TenantMetric, ...matchers: string[]) => string;

/** The tenant's dashboards, every query scoped to its namespace. */
export function tenantDashboards(tenant: TenantFacts): GrafanaDashboard[] {
  const sel: Selector = (metric, ...m) => inNamespace(tenant.namespace, metric, ...m);
  return [serviceHealth(sel), queryLatency(sel), resourceUse(sel)].map((d) => dashboardJson(tenant, d));
}

/** The ConfigMap holding a dashboard: named after its uid, its one key the file the sidecar writes. */
export function dashboardConfigMapName(uid: string): string {
  return `grafana-dashboard-${uid.replace(/^matih-/, '')}`;
}

/** One ConfigMap per dashboard, labelled for the Grafana sidecar. */
export function dashboardManifests(tenant: TenantFacts): KubeObject[] {
  return tenantDashboards(tenant).map((d) => {
    const meta = tenantMeta(tenant, StepName.DEPLOY_MONITORING, dashboardConfigMapName(d.uid));
    const configMap: IConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { ...meta, labels: { ...meta.labels, [DASHBOARD_LABEL.key]: DASHBOARD_LABEL.value } },
      data: { [`${d.uid}.json`]: configText(d) },
    };
    return toKubeObject(configMap);
  });
}
