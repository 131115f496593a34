import { StepName } from '../../domain/plans.js';
import { type AlertChannel, DEFAULT_ALERTS, alertChannels, deployMonitoringManifests, prometheusUrl, tenantDashboards } from '../manifests/index.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions } from '../step.js';
import { type ClusterStepOutputs, type ExtraOutputs, KIND, clusterStep } from '../support/cluster-step.js';

export interface DeployMonitoringOutputs extends ClusterStepOutputs {
  /** The tenant's Prometheus, its URL inside the cluster. */
  prometheus: string;
  /** How many alert rules the PrometheusRule holds. */
  alertRules: number;
  /** Where the alerts go, by kind of channel: never an address or a URL. */
  alertChannels: AlertChannel[];
  /** The Grafana dashboards provisioned, by uid. */
  dashboards: string[];
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    DEPLOY_MONITORING: DeployMonitoringOutputs;
  }
}

/**
 * spec/004 phase 9: the tenant's Prometheus (and the Role its service discovery reads with),
 * Grafana, the six default alert rules as a PrometheusRule, their routing to the tenant's
 * notification channels as an AlertmanagerConfig (with the webhook URL's Secret, when there is
 * one), and the Grafana dashboards as ConfigMaps (manifests/monitoring.ts). Ready when Flux
 * installed both releases; rollback deletes everything in reverse. A change of the tenant's
 * notification settings moves its declaration's generation, so a RECONCILE job runs this again.
 */
export function deployMonitoring(drivers: StepDrivers, options: StepOptions): StepHandler {
  const manifests = (ctx: StepContext) => deployMonitoringManifests(ctx.tenant, options.alertSmtp);
  return clusterStep(
    {
      name: StepName.DEPLOY_MONITORING,
      kinds: [KIND.Role, KIND.RoleBinding, KIND.HelmRelease, KIND.PrometheusRule, KIND.Secret, KIND.AlertmanagerConfig, KIND.ConfigMap],
      declare: manifests,
      teardownOrder: manifests,
      result: (ctx) => ({
        outputs: {
          prometheus: prometheusUrl(ctx.tenant),
          alertRules: DEFAULT_ALERTS.length,
          alertChannels: alertChannels(ctx.tenant),
          dashboards: tenantDashboards(ctx.tenant).map((d) => d.uid),
        } satisfies ExtraOutputs<DeployMonitoringOutputs>,
      }),
    },
    drivers,
    options,
  );
}
