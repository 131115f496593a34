import { ALL_PLANS, type StepName, SYNCHRONOUS_STEPS, TERMINAL_STEPS } from '../domain/plans.js';
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
import { type TenantAuditExport, archiveAuditLogs } from './archive-audit.js';
import { teardownSteps } from './teardown.js';
import type { ArchiveStore } from '../drivers/contract.js';
import { setupDatabase } from './setup-database.js';
import type { StepDrivers, StepHandler, StepOptions } from './step.js';
import { verify } from './verify.js';

export type { StepOptions } from './step.js';

/** Steps the engine runs itself, in the transaction that finishes the job. */
export const ENGINE_STEPS: ReadonlySet<StepName> = TERMINAL_STEPS;

/** What some steps read or hold in the control plane itself, implemented over the store by the composition root. */
export interface StepPorts {
  /** CONFIGURE: the tenant's settings and feature overrides. */
  tenantConfig: TenantConfigSource;
  /** The enterprise stages: service principal check, Terraform state lock, Terraform. */
  enterprise: { deps: EnterpriseStepDeps; options: EnterpriseStepOptions };
  /** ARCHIVE_AUDIT_LOGS: where the archive goes and what goes into it. */
  archive: { store: ArchiveStore; exportAudit: TenantAuditExport };
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
  const provisioning = new Map(handlers.map((h) => [h.name, h] as const));
  const registry = new Map(provisioning);
  for (const h of [archiveAuditLogs(ports.archive.store, ports.archive.exportAudit), ...teardownSteps(provisioning, drivers, options)]) registry.set(h.name, h);
  for (const plan of ALL_PLANS) {
    for (const step of plan.steps) {
      if (!SYNCHRONOUS_STEPS.has(step.name) && !ENGINE_STEPS.has(step.name) && !registry.has(step.name)) {
        throw new Error(`no handler for step ${step.name} of the ${plan.kind} plan of ${plan.tier}`);
      }
    }
  }
  return registry;
}
