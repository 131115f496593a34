import { StepName } from '../../domain/plans.js';
import { deployCoreServicesManifests } from '../manifests/index.js';
import type { StepDrivers, StepHandler, StepOptions } from '../step.js';
import { KIND } from '../support/cluster-step.js';
import { type ServiceReleasesOutputs, serviceReleasesStep } from '../support/service-releases.js';
import { CORE_SERVICES } from '../support/services.js';

export type DeployCoreServicesOutputs = ServiceReleasesOutputs;

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    DEPLOY_CORE_SERVICES: DeployCoreServicesOutputs;
  }
}

/**
 * spec/004 phase 3: the core services (support/services.ts), each a HelmRelease, all Ready. It
 * runs before DEPLOY_DATA_SERVICES in every plan, so it also declares the environment's values
 * ConfigMap (spec/002's `values-{environment}.yaml`) that every service release reads.
 */
export function deployCoreServices(drivers: StepDrivers, options: StepOptions): StepHandler {
  return serviceReleasesStep(
    {
      name: StepName.DEPLOY_CORE_SERVICES,
      kinds: [KIND.ConfigMap, KIND.HelmRelease],
      manifests: deployCoreServicesManifests,
      services: () => CORE_SERVICES,
    },
    drivers,
    options,
  );
}
