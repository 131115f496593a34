import type { TenantFacts } from '../step.js';
import { monitoringSizing } from './monitoring-sizing.js';
import { prometheusUrl } from './prometheus-values.js';
import { LOKI, TEMPO, TENANT_HEADER, telemetryTenantId } from './telemetry.js';

/** Values of the tenant's Grafana release (grafana/grafana chart). */

/**
 * Grafana's admin login, from a Secret in the tenant's namespace: never in values, which Flux
 * and Helm store in plain text. The keys are the grafana chart's defaults. DEPLOY_SECRETS,
 * which runs before this step, is to create it.
 */
export const GRAFANA_ADMIN_SECRET = { name: 'tenant-grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' } as const;

/** The tenant Prometheus as a Grafana data source; the dashboards (grafana-dashboards.ts) query it by this uid. */
export const PROMETHEUS_DATASOURCE = { type: 'prometheus', uid: 'prometheus' } as const;

/**
 * The label the dashboard sidecar loads ConfigMaps by (grafana-dashboards.ts sets it): the
 * chart's default key, with the value the kube-prometheus-stack convention uses.
 */
export const DASHBOARD_LABEL = { key: 'grafana_dashboard', value: '1' } as const;

/**
 * Grafana's data sources: the tenant Prometheus, and the shared Loki and Tempo seen as this
 * tenant only (spec/004 phase 10: "Data source: tenant-scoped Loki/Tempo"). The header value is
 * the tenant id, not a credential; Grafana keeps custom header values in secureJsonData.
 */
function dataSources(tenant: TenantFacts): Record<string, unknown>[] {
  const tenantScoped = { jsonData: { httpHeaderName1: TENANT_HEADER }, secureJsonData: { httpHeaderValue1: telemetryTenantId(tenant) } };
  return [
    { name: 'Prometheus', uid: PROMETHEUS_DATASOURCE.uid, type: PROMETHEUS_DATASOURCE.type, access: 'proxy', url: prometheusUrl(tenant), isDefault: true },
    { name: 'Loki', uid: 'loki', type: 'loki', access: 'proxy', url: LOKI.query, ...tenantScoped },
    { name: 'Tempo', uid: 'tempo', type: 'tempo', access: 'proxy', url: TEMPO.query, ...tenantScoped },
  ];
}

export function grafanaValues(tenant: TenantFacts): Record<string, unknown> {
  return {
    admin: { existingSecret: GRAFANA_ADMIN_SECRET.name, userKey: GRAFANA_ADMIN_SECRET.userKey, passwordKey: GRAFANA_ADMIN_SECRET.passwordKey },
    // A Role, not the ClusterRole the chart makes by default: nothing cluster-wide per tenant.
    rbac: { create: true, namespaced: true },
    // The chart's test pod would be one more pod against the quota, for a check Flux already makes.
    testFramework: { enabled: false },
    resources: monitoringSizing(tenant.tier).grafana,
    datasources: { 'datasources.yaml': { apiVersion: 1, datasources: dataSources(tenant) } },
    // The tenant's dashboards are ConfigMaps of DEPLOY_MONITORING (grafana-dashboards.ts), which
    // this sidecar loads, and reloads when they change, from the tenant's namespace only: with
    // rbac.namespaced the chart grants it a Role there, nothing cluster-wide. ConfigMaps only,
    // so it never lists the namespace's Secrets. `sidecar.resources` sizes every sidecar of the
    // chart; the dashboard one is the only one enabled.
    sidecar: {
      resources: monitoringSizing(tenant.tier).dashboardSidecar,
      dashboards: {
        enabled: true,
        label: DASHBOARD_LABEL.key,
        labelValue: DASHBOARD_LABEL.value,
        searchNamespace: [tenant.namespace],
        resource: 'configmap',
        // Provisioned from code: a change made in the UI would be overwritten at the next apply.
        provider: { allowUiUpdates: false },
      },
    },
  };
}

