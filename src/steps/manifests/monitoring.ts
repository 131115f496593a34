import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { StepName } from '../../domain/plans.js';
import type { KubeObject } from '../../drivers/contract.js';
import type { AlertSmtp, TenantFacts } from '../step.js';
import { defaultAlertRules } from './alert-rules.js';
import { alertRoutingManifests } from './alert-routing.js';
import { dashboardManifests } from './grafana-dashboards.js';
import { grafanaValues } from './grafana-values.js';
import { HELM_RELEASE_API_VERSION, type HelmRelease } from './helm-release-schema.js';
import { tenantMeta, toKubeObject } from './object-meta.js';
import { PROMETHEUS_RULE_API_VERSION, type PrometheusRule } from './prometheus-rule-schema.js';
import { PROMETHEUS_RELEASE, PROMETHEUS_SERVICE_ACCOUNT, prometheusValues } from './prometheus-values.js';
import { assertValidManifests } from './validate.js';

export { GRAFANA_ADMIN_SECRET } from './grafana-values.js';
export { PROMETHEUS_RELEASE, PROMETHEUS_SERVICE_ACCOUNT, prometheusUrl } from './prometheus-values.js';

/**
 * spec/004 phase 9: the tenant's Prometheus and Grafana, as Flux HelmReleases, its default
 * alert rules as a PrometheusRule, where those alerts go as an AlertmanagerConfig, and its
 * Grafana dashboards as ConfigMaps.
 *
 * A PrometheusRule is read by the Prometheus Operator, so the tenant Prometheus is one the
 * operator runs: kube-prometheus-stack with everything but Prometheus switched off. The operator
 * and its CRDs are the platform's, installed once per cluster, as are node-exporter and
 * kube-state-metrics; a tenant release that installed them would own cluster-wide objects and
 * collide with the next tenant's. The Alertmanager is the platform's too: the tenant Prometheus
 * sends to it, and the tenant's AlertmanagerConfig routes what it sends (alert-routing.ts says
 * why not an Alertmanager per tenant).
 */

/**
 * The chart sources, one HelmRepository each for the whole platform in Flux's namespace, as
 * `matih` is (helm-release-schema.ts): no tenant step owns them, so no teardown deletes them.
 */
export const PROMETHEUS_COMMUNITY_REPOSITORY = { kind: 'HelmRepository', name: 'prometheus-community', namespace: 'flux-system' } as const;
export const GRAFANA_REPOSITORY = { kind: 'HelmRepository', name: 'grafana', namespace: 'flux-system' } as const;

/**
 * Chart versions pinned to a major: prometheus-values.ts and grafana-values.ts are written
 * against these, and a new major of either chart renames values as often as not. Minor and
 * patch releases come in.
 */
const PROMETHEUS_CHART = { chart: 'kube-prometheus-stack', version: '67.x' } as const;
const GRAFANA_CHART = { chart: 'grafana', version: '8.x' } as const;

/** Names of the releases and the rule; alert-routing.ts and grafana-dashboards.ts name theirs. */
export const GRAFANA_RELEASE = 'grafana';
export const ALERT_RULES_NAME = 'tenant-default-alerts';

/** Same as the service releases: how often Flux checks a release against its declaration. */
const RECONCILE_INTERVAL = '10m';

function release(tenant: TenantFacts, name: string, chart: { chart: string; version: string }, sourceRef: HelmRelease['spec']['chart']['spec']['sourceRef'], values: Record<string, unknown>): KubeObject {
  const r: HelmRelease = {
    apiVersion: HELM_RELEASE_API_VERSION,
    kind: 'HelmRelease',
    metadata: tenantMeta(tenant, StepName.DEPLOY_MONITORING, name),
    spec: { interval: RECONCILE_INTERVAL, chart: { spec: { ...chart, sourceRef: { ...sourceRef } } }, values },
  };
  return toKubeObject(r);
}

/** What the tenant Prometheus may read: the objects its service discovery lists, in its namespace. */
function discoveryRbac(tenant: TenantFacts): KubeObject[] {
  const step = StepName.DEPLOY_MONITORING;
  const read = ['get', 'list', 'watch'];
  const role: IRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: tenantMeta(tenant, step, PROMETHEUS_SERVICE_ACCOUNT),
    rules: [
      { apiGroups: [''], resources: ['pods', 'services', 'endpoints'], verbs: read },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: read },
    ],
  };
  const binding: IRoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: tenantMeta(tenant, step, PROMETHEUS_SERVICE_ACCOUNT),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: PROMETHEUS_SERVICE_ACCOUNT },
    subjects: [{ kind: 'ServiceAccount', name: PROMETHEUS_SERVICE_ACCOUNT, namespace: tenant.namespace }],
  };
  return [toKubeObject(role), toKubeObject(binding)];
}

function alertRules(tenant: TenantFacts): KubeObject {
  const rule: PrometheusRule = {
    apiVersion: PROMETHEUS_RULE_API_VERSION,
    kind: 'PrometheusRule',
    metadata: tenantMeta(tenant, StepName.DEPLOY_MONITORING, ALERT_RULES_NAME),
    spec: { groups: [{ name: ALERT_RULES_NAME, rules: defaultAlertRules(tenant) }] },
  };
  return toKubeObject(rule);
}

/**
 * Suspension scales monitoring to zero too (spec/002: all data-plane deployments), through each
 * chart's own replica value (`path`). The count is always declared, one when running: observe
 * compares what we declare with what is there, so a value we stopped declaring would stay at
 * zero (and server-side apply only removes a field when an apply happens).
 */
function scaled(values: Record<string, unknown>, tenant: TenantFacts, path: readonly string[]): Record<string, unknown> {
  const copy = structuredClone(values);
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node[key] = typeof next === 'object' && next !== null ? { ...(next as Record<string, unknown>) } : {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] ?? 'replicas'] = tenant.suspended ? 0 : 1;
  return copy;
}

function validated(objs: KubeObject[]): KubeObject[] {
  assertValidManifests(objs);
  return objs;
}

/**
 * spec/004 phase 9, for DEPLOY_MONITORING; `smtp` is how alert emails are sent (absent: the
 * Alertmanager's own SMTP settings). The webhook Secret comes before the AlertmanagerConfig
 * that reads it, and the dashboards after the Grafana that loads them.
 */
export function deployMonitoringManifests(tenant: TenantFacts, smtp?: AlertSmtp): KubeObject[] {
  return validated([
    ...discoveryRbac(tenant),
    release(tenant, PROMETHEUS_RELEASE, PROMETHEUS_CHART, PROMETHEUS_COMMUNITY_REPOSITORY, scaled(prometheusValues(tenant), tenant, ['prometheus', 'prometheusSpec', 'replicas'])),
    release(tenant, GRAFANA_RELEASE, GRAFANA_CHART, GRAFANA_REPOSITORY, scaled(grafanaValues(tenant), tenant, ['replicas'])),
    alertRules(tenant),
    ...alertRoutingManifests(tenant, smtp),
    ...dashboardManifests(tenant),
  ]);
}
