import { PLANS, type StepName, SYNCHRONOUS_STEPS, StepName as S } from '../domain/plans.js';
import { applyQuotas } from './apply-quotas.js';
import { configureNetworking } from './configure-networking.js';
import { createNamespace } from './create-namespace.js';
import { deploySecrets } from './deploy-secrets.js';
import { deployCoreServices, deployDataServices } from './deploy-services.js';
import { acquireTerraformLock, provisionInfrastructure, validateServicePrincipal } from './enterprise.js';
import { createDnsZone, createTenantIngress, deployIngressController } from './ingress-and-dns.js';
import { configure, deployMonitoring, setupObservability } from './observability.js';
import { selectCluster } from './select-cluster.js';
import { setupDatabase } from './setup-database.js';
import type { StepDrivers, StepHandler, StepOptions } from './step.js';
import { verify } from './verify.js';

export type { StepOptions } from './step.js';

/** Steps the engine runs itself, in the transaction that finishes the job. */
export const ENGINE_STEPS: ReadonlySet<StepName> = new Set([S.ACTIVATE]);

/** Every step of every plan, bound to its drivers. Checked complete at construction. */
export function buildStepRegistry(drivers: StepDrivers, options: StepOptions): ReadonlyMap<StepName, StepHandler> {
  const handlers = [
    selectCluster(drivers), createNamespace(drivers, options), applyQuotas(drivers, options), validateServicePrincipal(drivers),
    acquireTerraformLock(drivers), provisionInfrastructure(drivers), setupDatabase(drivers, options), deploySecrets(drivers, options),
    deployCoreServices(drivers, options), configureNetworking(drivers, options), deployDataServices(drivers, options),
    deployIngressController(drivers), createDnsZone(drivers, options.baseDomain), createTenantIngress(drivers, options.baseDomain),
    deployMonitoring(drivers), setupObservability(drivers), configure(drivers), verify(drivers, options),
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
