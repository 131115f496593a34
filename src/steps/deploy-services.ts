import { StepName } from '../domain/plans.js';
import { CORE_SERVICES, dataServicesFor } from './services.js';
import { type StepDrivers, type StepHandler, type TenantFacts, declarativeStep, resource } from './step.js';

function release(t: TenantFacts, service: string) {
  return resource('HelmRelease', `${t.namespace}/${service}`, {
    chart: `matih/${service}`,
    values: { tenant: { id: t.id, slug: t.slug, tier: t.tier.toLowerCase() }, replicaCount: 1 },
  });
}

/** spec/004 phase 3: the essential services. */
export function deployCoreServices(drivers: StepDrivers): StepHandler {
  return declarativeStep(StepName.DEPLOY_CORE_SERVICES, drivers, (ctx) => CORE_SERVICES.map((s) => release(ctx.tenant, s)), () => ({
    outputs: { services: [...CORE_SERVICES] },
  }));
}

/** spec/004 phase 5: the rest of the data plane, in dependency order (Free: a subset). */
export function deployDataServices(drivers: StepDrivers): StepHandler {
  return declarativeStep(
    StepName.DEPLOY_DATA_SERVICES,
    drivers,
    (ctx) => dataServicesFor(ctx.tenant.tier).map((s) => release(ctx.tenant, s)),
    (ctx) => ({ outputs: { services: [...dataServicesFor(ctx.tenant.tier)] } }),
  );
}
