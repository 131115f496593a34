import { StepName } from '../domain/plans.js';
import { KIND, clusterStep } from './cluster-step.js';
import { DEFAULT_ALERTS, deployMonitoringManifests, prometheusUrl, setupObservabilityManifests } from './manifests/index.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions } from './step.js';

/**
 * spec/004 phase 9: the tenant's Prometheus (and the Role its service discovery reads with),
 * Grafana, and the six default alert rules as a PrometheusRule (manifests/monitoring.ts). Ready
 * when Flux installed both releases; rollback uninstalls them in reverse and deletes the rule.
 */
export function deployMonitoring(drivers: StepDrivers, options: StepOptions): StepHandler {
  const manifests = (ctx: StepContext) => deployMonitoringManifests(ctx.tenant);
  return clusterStep(
    {
      name: StepName.DEPLOY_MONITORING,
      kinds: [KIND.Role, KIND.RoleBinding, KIND.HelmRelease, KIND.PrometheusRule],
      declare: manifests,
      teardownOrder: manifests,
      result: (ctx) => ({ outputs: { prometheus: prometheusUrl(ctx.tenant), alertRules: DEFAULT_ALERTS.length } }),
    },
    drivers,
    options,
  );
}

/**
 * spec/004 phase 10: the tenant's share of the platform's log and trace pipeline, as
 * configuration (manifests/observability.ts). Rollback removes the configuration; the data
 * already in Loki and Tempo stays for its retention, as spec/004 says.
 */
export function setupObservability(drivers: StepDrivers, options: StepOptions): StepHandler {
  const manifests = (ctx: StepContext) => setupObservabilityManifests(ctx.tenant);
  return clusterStep(
    { name: StepName.SETUP_OBSERVABILITY, kinds: [KIND.ConfigMap], declare: manifests, teardownOrder: manifests },
    drivers,
    options,
  );
}
