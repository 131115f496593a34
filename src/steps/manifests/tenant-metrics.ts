/**
 * What the tenant Prometheus has to query: the metric names each of its scrape jobs
 * (prometheus-values.ts) brings in. The alert rules (alert-rules.ts) and the Grafana dashboards
 * (grafana-dashboards.ts) name metrics only through this file, and a test parses every one of
 * their expressions against it: a rule or a panel over a series nobody scrapes would be silent
 * for ever, never wrong.
 */

/**
 * Job `tenant-pods`: the tenant's services, scraped where their pods ask to be. The matih/*
 * charts are held to the HTTP metric names this control plane exports itself
 * (src/api/metrics.ts: a counter and a histogram, by route and status code); the job adds
 * `namespace`, `pod` and `service` to every series. spec/004 names no metric.
 */
export const SERVICE_METRICS = {
  requests: 'matih_http_requests_total',
  durationBuckets: 'matih_http_request_duration_seconds_bucket',
  durationSum: 'matih_http_request_duration_seconds_sum',
  durationCount: 'matih_http_request_duration_seconds_count',
} as const;

/**
 * Job `platform-federation`: series only a cluster-wide scraper has, which the platform
 * Prometheus scrapes and the tenant's federates, of its namespace only. By exporter, each the
 * platform's: the kubelets' cAdvisor and volume statistics, and kube-state-metrics.
 */
export const FEDERATED_METRICS_BY_EXPORTER = {
  cadvisor: ['container_cpu_usage_seconds_total', 'container_memory_working_set_bytes'],
  kubeletVolumeStats: ['kubelet_volume_stats_used_bytes', 'kubelet_volume_stats_capacity_bytes'],
  kubeStateMetrics: [
    'kube_pod_container_resource_limits',
    'kube_pod_container_resource_requests',
    'kube_pod_container_status_restarts_total',
    'kube_deployment_spec_replicas',
    'kube_deployment_status_replicas_available',
    // The namespace's ResourceQuota, `type` "hard" and "used", one series per `resource`.
    'kube_resourcequota',
  ],
} as const;

/** What Prometheus itself records for every target of every job. */
export const TARGET_METRICS = { up: 'up' } as const;

/** The scrape jobs' names, as prometheus-values.ts declares them and queries select them by `job`. */
export const SCRAPE_JOB = { tenantPods: 'tenant-pods', platformFederation: 'platform-federation' } as const;

type Federated = (typeof FEDERATED_METRICS_BY_EXPORTER)[keyof typeof FEDERATED_METRICS_BY_EXPORTER][number];

/** Every metric the federation job asks the platform Prometheus for. */
export const CLUSTER_METRICS: readonly Federated[] = Object.values(FEDERATED_METRICS_BY_EXPORTER).flat();

/** A metric the tenant Prometheus has; the only names `inNamespace` takes. */
export type TenantMetric = (typeof SERVICE_METRICS)[keyof typeof SERVICE_METRICS] | Federated | (typeof TARGET_METRICS)[keyof typeof TARGET_METRICS];

/** Every metric name the tenant Prometheus has, by the job that brings it in. */
export const METRICS_BY_JOB: Readonly<Record<(typeof SCRAPE_JOB)[keyof typeof SCRAPE_JOB], readonly TenantMetric[]>> = {
  [SCRAPE_JOB.tenantPods]: [...Object.values(SERVICE_METRICS), TARGET_METRICS.up],
  // `up` of this job is the federation's own health: one series, no namespace label.
  [SCRAPE_JOB.platformFederation]: [...CLUSTER_METRICS, TARGET_METRICS.up],
};

/** A selector of one metric in one namespace: every selector of every rule and panel goes through here. */
export function inNamespace(namespace: string, metric: TenantMetric, ...matchers: string[]): string {
  return `${metric}{${[`namespace="${namespace}"`, ...matchers].join(', ')}}`;
}
