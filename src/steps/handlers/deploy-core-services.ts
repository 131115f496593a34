import { StepName } from '../../domain/plans.js';
import { deployCoreServicesManifests } from '../manifests/index.js';
import type { StepDrivers, StepHandler, StepOptions } from '../step.js';
import { type ServiceReleasesOutputs, serviceReleasesStep } from '../support/service-releases.js';
import { CORE_SERVICES } from '../support/services.js';

export type DeployCoreServicesOutputs = ServiceReleasesOutputs;

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    DEPLOY_CORE_SERVICES: DeployCoreServicesOutputs;
  }
}

/** spec/004 phase 3: the core services (support/services.ts), each a HelmRelease, all Ready. */
export function deployCoreServices(drivers: StepDrivers, options: StepOptions): StepHandler {
  return serviceReleasesStep(
    { name: StepName.DEPLOY_CORE_SERVICES, releases: deployCoreServicesManifests, services: () => CORE_SERVICES },
    drivers,
    options,
  );
}
