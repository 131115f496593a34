import { ALL_PLANS, type StepName, SYNCHRONOUS_STEPS } from '../domain/plans.js';
import type { ArchiveStore } from '../drivers/contract.js';
import { acquireTerraformLock } from './handlers/acquire-terraform-lock.js';
import { activate } from './handlers/activate.js';
import { applyQuotas } from './handlers/apply-quotas.js';
import { type TenantAuditExport, archiveAuditLogs } from './handlers/archive-audit-logs.js';
import { complete } from './handlers/complete.js';
import { type TenantConfigSource, configure } from './handlers/configure.js';
import { configureNetworking } from './handlers/configure-networking.js';
import { createDnsZone } from './handlers/create-dns-zone.js';
import { createNamespace } from './handlers/create-namespace.js';
import { createTenantIngress } from './handlers/create-tenant-ingress.js';
import { deleteDnsZone } from './handlers/delete-dns-zone.js';
import { deleteHelmReleases } from './handlers/delete-helm-releases.js';
import { deleteNamespace } from './handlers/delete-namespace.js';
import { deleteTenantRecord } from './handlers/delete-tenant-record.js';
import { deleteTenantDatabase } from './handlers/delete-tenant-database.js';
import { deployCoreServices } from './handlers/deploy-core-services.js';
import { deployDataServices } from './handlers/deploy-data-services.js';
import { deployIngressController } from './handlers/deploy-ingress-controller.js';
import { deployMonitoring } from './handlers/deploy-monitoring.js';
import { deploySecrets } from './handlers/deploy-secrets.js';
import { destroyInfrastructure } from './handlers/destroy-infrastructure.js';
import { provisionInfrastructure } from './handlers/provision-infrastructure.js';
import { selectCluster } from './handlers/select-cluster.js';
import { setupDatabase } from './handlers/setup-database.js';
import { setupObservability } from './handlers/setup-observability.js';
import { validateServicePrincipal } from './handlers/validate-service-principal.js';
import { verify } from './handlers/verify.js';
import type { StepDrivers, StepHandler, StepOptions } from './step.js';
import type { EnterpriseStepDeps, EnterpriseStepOptions } from './support/enterprise-step-deps.js';

export type { StepOptions } from './step.js';

/** What some steps read or hold in the control plane itself, implemented over the store by the composition root. */
export interface StepPorts {
  /** CONFIGURE: the tenant's settings and feature overrides. */
  tenantConfig: TenantConfigSource;
  /** The enterprise stages: service principal check, Terraform state lock, Terraform. */
  enterprise: { deps: EnterpriseStepDeps; options: EnterpriseStepOptions };
  /** ARCHIVE_AUDIT_LOGS: where the archive goes and what goes into it. */
  archive: { store: ArchiveStore; exportAudit: TenantAuditExport };
}

/** spec/003's enterprise stages: VALIDATE_SERVICE_PRINCIPAL, ACQUIRE_TERRAFORM_LOCK, PROVISION_INFRASTRUCTURE. */
export function enterpriseSteps(deps: EnterpriseStepDeps, options: EnterpriseStepOptions): StepHandler[] {
  return [validateServicePrincipal(deps), acquireTerraformLock(deps, options), provisionInfrastructure(deps, options)];
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
  // Teardown steps undo groups of provisioning steps with those steps' own rollbacks (support/teardown-step.ts).
  const teardown = [
    archiveAuditLogs(ports.archive.store, ports.archive.exportAudit),
    deleteHelmReleases(provisioning, drivers), deleteTenantDatabase(provisioning, drivers, options), deleteNamespace(provisioning, drivers),
    deleteDnsZone(provisioning, drivers, options), destroyInfrastructure(provisioning),
  ];
  for (const h of teardown) registry.set(h.name, h);
  // The terminal steps: their effect is the commit that ends the job (store/engine/finish-job.ts).
  for (const h of [activate(), complete(), deleteTenantRecord(ports.archive.store)]) registry.set(h.name, h);
  for (const plan of ALL_PLANS) {
    for (const step of plan.steps) {
      if (!SYNCHRONOUS_STEPS.has(step.name) && !registry.has(step.name)) {
        throw new Error(`no handler for step ${step.name} of the ${plan.kind} plan of ${plan.tier}`);
      }
    }
  }
  return registry;
}
