import type { NetworkIsolation } from '../../domain/network-isolation.js';
import type { KubeObject, TenantDatabaseConnection } from '../../drivers/contract.js';
import type { DeployEnvironment, TenantFacts } from '../step.js';
import { environmentValuesManifest } from './environment-values.js';
import { coreServiceReleases, dataServiceReleases } from './helm-releases.js';
import { ingressControllerRelease } from './ingress-controller.js';
import { certificateManifest, tenantIngressManifest, tlsSecretManifest } from './tenant-ingress.js';
import { type Provenance, namespaceManifest } from './namespace.js';
import { networkPolicyManifests } from './network-policies.js';
import { quotaManifests } from './quota.js';
import { rbacManifests } from './rbac.js';
import { type TenantSecretValues, databaseSecretManifest, tenantSecretManifests } from './secrets.js';
import { assertValidManifests } from './validate.js';

/**
 * The Kubernetes objects of a tenant, by the step that owns them. Each step asks for its own
 * with exactly the inputs it has; every builder validates what it returns, so an invalid object
 * fails as a permanent error before anything is applied.
 */

export type { Provenance } from './namespace.js';
export type { TenantSecretValues } from './secrets.js';
export type { HelmRelease, ServiceValues } from './helm-release-schema.js';
export { HELM_REPOSITORY, HELM_RELEASE_API_VERSION } from './helm-release-schema.js';
export { SERVICE_DEPENDENCIES } from './helm-releases.js';
export { FLUX_WATCH_LABEL, VALUES_KEY, environmentValuesName } from './environment-values.js';
export { ANNOTATION, LABEL, MANAGED_BY, ownerLabels } from './labels.js';
export { DATABASE_SECRET, databaseUrl } from './secrets.js';
export { ManifestValidationError, assertValidManifests, validateManifest } from './validate.js';
// spec/004 phases 9 and 10; each builder validates what it returns, as the ones below do.
export type { AlertRule, PrometheusRule, RuleGroup, Severity } from './prometheus-rule-schema.js';
export { PROMETHEUS_RULE_API_VERSION, PrometheusRuleSchema, prometheusRuleProblems } from './prometheus-rule-schema.js';
export { ALERT_THRESHOLDS, DEFAULT_ALERTS, HTTP_METRICS, type DefaultAlert } from './alert-rules.js';
export { CLUSTER_METRICS, METRICS_BY_JOB, SCRAPE_JOB, SERVICE_METRICS, type TenantMetric } from './tenant-metrics.js';
export type { AlertmanagerConfig, AlertReceiver } from './alertmanager-config-schema.js';
export { ALERTMANAGER_CONFIG_API_VERSION, AlertmanagerConfigSchema, alertmanagerConfigProblems } from './alertmanager-config-schema.js';
export { ALERT_RECEIVER, ALERT_ROUTING_NAME, ALERT_WEBHOOK_SECRET, type AlertChannel, alertChannels } from './alert-routing.js';
export type { GrafanaDashboard, GrafanaPanel, GrafanaTarget } from './grafana-dashboard-json.js';
export { dashboardConfigMapName, tenantDashboards } from './grafana-dashboards.js';
export { DASHBOARD_LABEL, PROMETHEUS_DATASOURCE } from './grafana-values.js';
export {
  ALERT_RULES_NAME, GRAFANA_ADMIN_SECRET, GRAFANA_RELEASE, GRAFANA_REPOSITORY, PROMETHEUS_COMMUNITY_REPOSITORY,
  PROMETHEUS_RELEASE, PROMETHEUS_SERVICE_ACCOUNT, deployMonitoringManifests, prometheusUrl,
} from './monitoring.js';
export {
  CONFIG_FILE, LOKI_TENANT_CONFIG, OTEL_COLLECTOR_CONFIG, TELEMETRY_LABEL, TELEMETRY_ROLE, TEMPO_TENANT_CONFIG, setupObservabilityManifests,
} from './observability.js';
export {
  INGRESS_CONTROLLER_RELEASE, INGRESS_CONTROLLER_REPLICAS, INGRESS_CONTROLLER_SERVICE, INGRESS_NGINX_REPOSITORY, ingressClassName,
  ingressControllerResources, ingressControllerServiceRef, loadBalancerAddress,
} from './ingress-controller.js';
export {
  CERTIFICATE_API_VERSION, CLUSTER_ISSUER, INGRESS_BACKENDS, TENANT_INGRESS, certificateDnsNames, tenantHost, tlsSecretName,
} from './tenant-ingress.js';
export { LOKI, PLATFORM_ALERTMANAGER, PLATFORM_PROMETHEUS, TELEMETRY_RETENTION, TEMPO, TENANT_HEADER } from './telemetry.js';

function validated(objs: KubeObject[]): KubeObject[] {
  assertValidManifests(objs);
  return objs;
}

/** spec/004 phase 1: Namespace, ServiceAccount, Role, RoleBinding. */
export function createNamespaceManifests(tenant: TenantFacts, provenance: Provenance): KubeObject[] {
  return validated([namespaceManifest(tenant, provenance), ...rbacManifests(tenant)]);
}

/** ResourceQuota and LimitRange; none for an Enterprise tenant without a declared quota. */
export function applyQuotasManifests(tenant: TenantFacts): KubeObject[] {
  return validated(quotaManifests(tenant));
}

/** spec/004 phase 2: the `tenant-database-credentials` secret. */
export function setupDatabaseManifests(tenant: TenantFacts, db: TenantDatabaseConnection): KubeObject[] {
  return validated([databaseSecretManifest(tenant, db)]);
}

/** spec/002 phase 3: the five tenant secrets. */
export function deploySecretsManifests(tenant: TenantFacts, secrets: TenantSecretValues, db: TenantDatabaseConnection): KubeObject[] {
  return validated(tenantSecretManifests(tenant, secrets, db));
}

/** spec/004 phase 4: its three ingress NetworkPolicies, and the egress ones of its isolation table. */
export function configureNetworkingManifests(tenant: TenantFacts, isolation: NetworkIsolation): KubeObject[] {
  return validated(networkPolicyManifests(tenant, isolation));
}

/**
 * spec/004 phase 3: the environment's values (spec/002's `values-{environment}.yaml`), which
 * every service release reads and so come first, then the HelmReleases of the core services.
 */
export function deployCoreServicesManifests(tenant: TenantFacts, environment: DeployEnvironment): KubeObject[] {
  return validated([environmentValuesManifest(tenant, environment), ...coreServiceReleases(tenant, environment)]);
}

/** spec/004 phase 5: HelmReleases of the data services (Free: a subset), reading the core step's environment values. */
export function deployDataServicesManifests(tenant: TenantFacts, environment: DeployEnvironment): KubeObject[] {
  return validated(dataServiceReleases(tenant, environment));
}

/** spec/004 phase 6: the tenant's ingress-nginx release. */
export function deployIngressControllerManifests(tenant: TenantFacts): KubeObject[] {
  return validated([ingressControllerRelease(tenant)]);
}

/** How the certificate comes: issued by the local CA (its PEMs go into the Secret) or by cert-manager. */
export type TenantCertificate =
  | { mode: 'local-ca'; certificate: { certificatePem: string; privateKeyPem: string; caPem: string } }
  | { mode: 'cert-manager' };

/** spec/004 phase 8: the certificate (a TLS Secret, or cert-manager's Certificate), then the Ingress. */
export function createTenantIngressManifests(tenant: TenantFacts, baseDomain: string, tls: TenantCertificate): KubeObject[] {
  const certificate = tls.mode === 'local-ca' ? tlsSecretManifest(tenant, tls.certificate) : certificateManifest(tenant, baseDomain);
  return validated([certificate, tenantIngressManifest(tenant, baseDomain)]);
}

