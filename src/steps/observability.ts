import { StepName } from '../domain/plans.js';
import { type StepDrivers, type StepHandler, declarativeStep, resource } from './step.js';

/** spec/004 phase 9: Prometheus, Grafana and the default alert rules. */
export function deployMonitoring(drivers: StepDrivers): StepHandler {
  return declarativeStep(StepName.DEPLOY_MONITORING, drivers, (ctx) => [
    resource('HelmRelease', `${ctx.tenant.namespace}/prometheus`, { chart: 'prometheus-community/prometheus' }),
    resource('HelmRelease', `${ctx.tenant.namespace}/grafana`, { chart: 'grafana/grafana' }),
    resource('PrometheusRule', `${ctx.tenant.namespace}/tenant-default-alerts`),
  ]);
}

/** spec/004 phase 10: Loki, Tempo and the OpenTelemetry collector, scoped to the tenant. */
export function setupObservability(drivers: StepDrivers): StepHandler {
  return declarativeStep(StepName.SETUP_OBSERVABILITY, drivers, (ctx) => [
    resource('ConfigMap', `${ctx.tenant.namespace}/loki-tenant-config`, { selector: { namespace: ctx.tenant.namespace } }),
    resource('ConfigMap', `${ctx.tenant.namespace}/tempo-tenant-config`, { attributes: { tenant_id: ctx.tenant.slug } }),
    resource('ConfigMap', `${ctx.tenant.namespace}/otel-collector-config`, { processors: ['tenant-context'] }),
  ]);
}

/** spec/002 phase 6: tenant configuration overrides through the config service. */
export function configure(drivers: StepDrivers): StepHandler {
  return declarativeStep(StepName.CONFIGURE, drivers, (ctx) => [
    resource('TenantConfiguration', `${ctx.tenant.namespace}/tenant-config`, { tier: ctx.tenant.tier }),
  ]);
}
