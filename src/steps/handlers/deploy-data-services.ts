import { StepName } from '../../domain/plans.js';
import { deployDataServicesManifests } from '../manifests/index.js';
import type { StepDrivers, StepHandler, StepOptions } from '../step.js';
import { KIND } from '../support/cluster-step.js';
import { type ServiceReleasesOutputs, serviceReleasesStep } from '../support/service-releases.js';
import { dataServicesFor } from '../support/services.js';

export type DeployDataServicesOutputs = ServiceReleasesOutputs;

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    DEPLOY_DATA_SERVICES: DeployDataServicesOutputs;
  }
}

/**
 * spec/004 phase 5: the rest of the data plane in its dependency order (Free: a subset). Its
 * releases read the environment's values DEPLOY_CORE_SERVICES declared; it owns releases only.
 */
export function deployDataServices(drivers: StepDrivers, options: StepOptions): StepHandler {
  return serviceReleasesStep(
    {
      name: StepName.DEPLOY_DATA_SERVICES,
      kinds: [KIND.HelmRelease],
      manifests: deployDataServicesManifests,
      services: (tenant) => dataServicesFor(tenant.tier),
    },
    drivers,
    options,
  );
}
