import type { TenantFacts } from '../step.js';
import { monitoringSizing } from './monitoring-sizing.js';
import { PLATFORM_ALERTMANAGER, PLATFORM_PROMETHEUS, TELEMETRY_RETENTION } from './telemetry.js';
import { CLUSTER_METRICS, SCRAPE_JOB, inNamespace } from './tenant-metrics.js';

/**
 * Values of the tenant's kube-prometheus-stack release: a Prometheus that the platform's
 * operator runs and that sees the tenant's namespace only. Everything else the chart can
 * install is off: the operator, its CRDs, node-exporter and kube-state-metrics are cluster-wide.
 */

/** The release name, which also names what the chart creates (fullnameOverride). */
export const PROMETHEUS_RELEASE = 'prometheus';

/** The ServiceAccount the tenant Prometheus runs as, and the Role that lets it discover its targets. */
export const PROMETHEUS_SERVICE_ACCOUNT = 'tenant-prometheus';

/**
 * A selector of exactly the tenant's namespace. `kubernetes.io/metadata.name` is set by the API
 * server and equals the name, so unlike our own labels no other namespace can carry it.
 */
function onlyNamespace(tenant: TenantFacts): { matchLabels: Record<string, string> } {
  return { matchLabels: { 'kubernetes.io/metadata.name': tenant.namespace } };
}

/**
 * Tenant-scoped service discovery: pods of the tenant's namespace that ask to be scraped
 * (the usual prometheus.io/* annotations, for charts without a ServiceMonitor), and the
 * cluster-level series of the namespace from the platform Prometheus. The latter is what the
 * CPU, memory, restart and disk rules read; without it four of the six could never fire.
 */
function scrapeConfigs(tenant: TenantFacts): Record<string, unknown>[] {
  const annotation = (name: string) => `__meta_kubernetes_pod_annotation_prometheus_io_${name}`;
  return [
    {
      job_name: SCRAPE_JOB.tenantPods,
      kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [tenant.namespace] } }],
      relabel_configs: [
        { source_labels: [annotation('scrape')], action: 'keep', regex: 'true' },
        { source_labels: [annotation('path')], target_label: '__metrics_path__', regex: '(.+)' },
        { source_labels: ['__address__', annotation('port')], target_label: '__address__', regex: '([^:]+)(?::\\d+)?;(\\d+)', replacement: '$1:$2' },
        { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
        { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
        // The label the ErrorRate and Latency rules group by; ServiceMonitor targets get it from the operator.
        { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], target_label: 'service' },
      ],
    },
    {
      job_name: SCRAPE_JOB.platformFederation,
      metrics_path: '/federate',
      // The series keep the labels the platform scraped them with (namespace, pod, container...).
      honor_labels: true,
      params: { 'match[]': CLUSTER_METRICS.map((m) => inNamespace(tenant.namespace, m)) },
      static_configs: [{ targets: [PLATFORM_PROMETHEUS] }],
    },
  ];
}

export function prometheusValues(tenant: TenantFacts): Record<string, unknown> {
  const size = monitoringSizing(tenant.tier);
  const own = onlyNamespace(tenant);
  const off = { enabled: false };
  return {
    // Predictable names (the chart would otherwise truncate "prometheus-kube-prometheus-stack").
    fullnameOverride: PROMETHEUS_RELEASE,
    crds: off,
    prometheusOperator: off,
    // The chart's rules cover the whole cluster; the tenant's are monitoring.ts' PrometheusRule.
    defaultRules: { create: false },
    alertmanager: off,
    grafana: off,
    kubeStateMetrics: off,
    nodeExporter: off,
    // ServiceMonitors for cluster components: the platform's to scrape, not a tenant's.
    kubernetesServiceMonitors: off,
    kubeApiServer: off,
    kubelet: off,
    kubeControllerManager: off,
    coreDns: off,
    kubeDns: off,
    kubeEtcd: off,
    kubeScheduler: off,
    kubeProxy: off,
    // The chart's Prometheus RBAC is a ClusterRole named after the release, which every tenant
    // would share and fight over; monitoring.ts declares a namespaced Role for discovery instead.
    global: { rbac: { create: false } },
    prometheus: {
      enabled: true,
      serviceAccount: { create: true, name: PROMETHEUS_SERVICE_ACCOUNT },
      prometheusSpec: {
        retention: TELEMETRY_RETENTION[tenant.tier].metrics,
        // Under the volume's size with room for the WAL, so retention by size acts before the
        // disk fills (and before the DiskUsage alert's 85% of the tenant's own claim).
        retentionSize: size.retentionSize,
        resources: size.prometheus,
        // The operator's config-reloader sidecar, sized here so the quota accounts for it.
        containers: [{ name: 'config-reloader', resources: size.configReloader }],
        storageSpec: {
          volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size.storage } } } },
        },
        // Monitors, probes and rules from the tenant's namespace only, whatever their labels
        // (the chart's default would select its own release's and look in every namespace).
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelector: {},
        podMonitorSelector: {},
        probeSelector: {},
        scrapeConfigSelector: {},
        ruleSelector: {},
        serviceMonitorNamespaceSelector: own,
        podMonitorNamespaceSelector: own,
        probeNamespaceSelector: own,
        scrapeConfigNamespaceSelector: own,
        ruleNamespaceSelector: own,
        additionalScrapeConfigs: scrapeConfigs(tenant),
        // Alerts go to the platform Alertmanager (telemetry.ts), which routes them by the tenant's
        // AlertmanagerConfig. A raw alertmanager_config (the chart puts it in a Secret) rather than
        // the chart's `alertingEndpoints`: those the operator resolves through the Endpoints of
        // the `monitoring` namespace, which this Prometheus's namespaced Role may not read.
        additionalAlertManagerConfigs: [{ dns_sd_configs: [{ names: [PLATFORM_ALERTMANAGER.srv], type: 'SRV' }] }],
      },
    },
  };
}

/** The operator's own Service for a Prometheus (its name does not depend on the chart's naming). */
export function prometheusUrl(tenant: TenantFacts): string {
  return `http://prometheus-operated.${tenant.namespace}.svc:9090`;
}

