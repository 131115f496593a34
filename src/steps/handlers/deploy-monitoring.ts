import { StepName } from '../../domain/plans.js';
import { DEFAULT_ALERTS, deployMonitoringManifests, prometheusUrl } from '../manifests/index.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions } from '../step.js';
import { type ClusterStepOutputs, type ExtraOutputs, KIND, clusterStep } from '../support/cluster-step.js';

export interface DeployMonitoringOutputs extends ClusterStepOutputs {
  /** The tenant's Prometheus, its URL inside the cluster. */
  prometheus: string;
  /** How many alert rules the PrometheusRule holds. */
  alertRules: number;
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    DEPLOY_MONITORING: DeployMonitoringOutputs;
  }
}

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
      result: (ctx) => ({
        outputs: { prometheus: prometheusUrl(ctx.tenant), alertRules: DEFAULT_ALERTS.length } satisfies ExtraOutputs<DeployMonitoringOutputs>,
      }),
    },
    drivers,
    options,
  );
}
