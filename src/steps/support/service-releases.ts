import type { StepName } from '../../domain/plans.js';
import type { KubeObject, ObjectKind } from '../../drivers/contract.js';
import type { DeployEnvironment, StepContext, StepDrivers, StepHandler, StepOptions, TenantFacts } from '../step.js';
import { type ClusterStepOutputs, type ExtraOutputs, clusterStep } from './cluster-step.js';

/** What DEPLOY_CORE_SERVICES and DEPLOY_DATA_SERVICES record: their releases, and the services they deploy. */
export interface ServiceReleasesOutputs extends ClusterStepOutputs {
  services: string[];
}

export interface ServiceReleasesDefinition {
  name: StepName;
  /** The kinds the step owns: HelmRelease, and ConfigMap for the step that declares the environment's values. */
  kinds: readonly ObjectKind[];
  /** The step's objects: (the environment's values, then) the HelmReleases in spec/004's dependency order. */
  manifests(tenant: TenantFacts, environment: DeployEnvironment): KubeObject[];
  /** The services those releases deploy, as the outputs name them. */
  services(tenant: TenantFacts): readonly string[];
}

/**
 * spec/004 phases 3 and 5: a Flux HelmRelease per service; the step ends when every release is
 * Ready (Flux installed the chart and its workloads rolled out). Rollback uninstalls them in
 * reverse order (and then removes the environment's values, which the core step declares first).
 */
export function serviceReleasesStep(def: ServiceReleasesDefinition, drivers: StepDrivers, options: StepOptions): StepHandler {
  const manifests = (ctx: StepContext) => def.manifests(ctx.tenant, options.environment);
  return clusterStep(
    {
      name: def.name,
      kinds: def.kinds,
      declare: manifests,
      teardownOrder: manifests,
      result: (ctx) => ({ outputs: { services: [...def.services(ctx.tenant)] } satisfies ExtraOutputs<ServiceReleasesOutputs> }),
    },
    drivers,
    options,
  );
}
