import { PLANS, type StepName, SYNCHRONOUS_STEPS, StepName as S } from '../domain/plans.js';
import { applyQuotas } from './apply-quotas.js';
import { configureNetworking } from './configure-networking.js';
import { createNamespace } from './create-namespace.js';
import { deploySecrets } from './deploy-secrets.js';
import { deployCoreServices, deployDataServices } from './deploy-services.js';
import { type TenantConfigSource, configure } from './configure.js';
import { type EnterpriseStepDeps, type EnterpriseStepOptions, enterpriseSteps } from './enterprise.js';
import { createDnsZone } from './dns-zone.js';
import { deployIngressController } from './ingress-controller.js';
import { createTenantIngress } from './tenant-ingress.js';
import { deployMonitoring, setupObservability } from './observability.js';
import { selectCluster } from './select-cluster.js';
import { setupDatabase } from './setup-database.js';
import type { StepDrivers, StepHandler, StepOptions } from './step.js';
import { verify } from './verify.js';

export type { StepOptions } from './step.js';

/** Steps the engine runs itself, in the transaction that finishes the job. */
export const ENGINE_STEPS: ReadonlySet<StepName> = new Set([S.ACTIVATE]);

/** What some steps read or hold in the control plane itself, implemented over the store by the composition root. */
export interface StepPorts {
  /** CONFIGURE: the tenant's settings and feature overrides. */
  tenantConfig: TenantConfigSource;
  /** The enterprise stages: service principal check, Terraform state lock, Terraform. */
  enterprise: { deps: EnterpriseStepDeps; options: EnterpriseStepOptions };
}

/** Every step of every plan, bound to its drivers. Checked complete at construction. */
export function buildStepRegistry(drivers: StepDrivers, options: StepOptions, ports: StepPorts): ReadonlyMap<StepName, StepHandler> {
  const handlers = [
    selectCluster(), createNamespace(drivers, options), applyQuotas(drivers, options),
    ...enterpriseSteps(ports.enterprise.deps, ports.enterprise.options),
    setupDatabase(drivers, options), deploySecrets(drivers, options),
    deployCoreServices(drivers, options), configureNetworking(drivers, options), deployDataServices(drivers, options),
    deployIngressController(drivers, options), createDnsZone(drivers, options), createTenantIngress(drivers, options),
    deployMonitoring(drivers, options), setupObservability(drivers, options), configure(drivers, options, ports.tenantConfig), verify(drivers, options),
  ];
  const registry = new Map(handlers.map((h) => [h.name, h] as const));
  for (const plan of Object.values(PLANS)) {
    for (const step of plan.steps) {
      if (!SYNCHRONOUS_STEPS.has(step.name) && !ENGINE_STEPS.has(step.name) && !registry.has(step.name)) {
        throw new Error(`no handler for step ${step.name} of the ${plan.tier} plan`);
      }
    }
  }
  return registry;
}
