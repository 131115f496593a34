import { StepName } from '../domain/plans.js';
import { KIND, clusterStep } from './cluster-step.js';
import { deployCoreServicesManifests, deployDataServicesManifests } from './manifests/index.js';
import { CORE_SERVICES, dataServicesFor } from './services.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions } from './step.js';

/**
 * spec/004 phase 3: a Flux HelmRelease per core service; the step ends when every release is
 * Ready (Flux installed the chart and its workloads rolled out). Rollback uninstalls them in
 * reverse order.
 */
export function deployCoreServices(drivers: StepDrivers, options: StepOptions): StepHandler {
  const manifests = (ctx: StepContext) => deployCoreServicesManifests(ctx.tenant);
  return clusterStep(
    {
      name: StepName.DEPLOY_CORE_SERVICES,
      kinds: [KIND.HelmRelease],
      declare: manifests,
      teardownOrder: manifests,
      result: () => ({ outputs: { services: [...CORE_SERVICES] } }),
    },
    drivers,
    options,
  );
}

/** spec/004 phase 5: the rest of the data plane in its dependency order (Free: a subset). */
export function deployDataServices(drivers: StepDrivers, options: StepOptions): StepHandler {
  const manifests = (ctx: StepContext) => deployDataServicesManifests(ctx.tenant);
  return clusterStep(
    {
      name: StepName.DEPLOY_DATA_SERVICES,
      kinds: [KIND.HelmRelease],
      declare: manifests,
      teardownOrder: manifests,
      result: (ctx) => ({ outputs: { services: [...dataServicesFor(ctx.tenant.tier)] } }),
    },
    drivers,
    options,
  );
}
