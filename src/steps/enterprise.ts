import { StepName } from '../domain/plans.js';
import { DeploymentType } from '../domain/tiers.js';
import { type StepDrivers, type StepHandler, declarativeStep, resource } from './step.js';

/** spec/003: the Azure service principal the dedicated cluster is built with. */
export function validateServicePrincipal(drivers: StepDrivers): StepHandler {
  return declarativeStep(StepName.VALIDATE_SERVICE_PRINCIPAL, drivers, () => [], () => ({ outputs: { validated: true } }));
}

/** spec/003: one Terraform run per tenant state at a time. */
export function acquireTerraformLock(drivers: StepDrivers): StepHandler {
  return declarativeStep(
    StepName.ACQUIRE_TERRAFORM_LOCK,
    drivers,
    (ctx) => [resource('TerraformStateLock', `tenants/${ctx.tenant.id}.tfstate`, { holder: ctx.jobId })],
    (ctx) => ({ outputs: { stateKey: `tenants/${ctx.tenant.id}.tfstate` } }),
  );
}

/** spec/003: Terraform builds the dedicated cluster, network, storage and database. */
export function provisionInfrastructure(drivers: StepDrivers): StepHandler {
  return declarativeStep(
    StepName.PROVISION_INFRASTRUCTURE,
    drivers,
    (ctx) => {
      const prefix = `matih-${ctx.tenant.slug}`;
      return [
        resource('TerraformResource', `${prefix}-vnet`, { type: 'network', region: ctx.tenant.region }),
        resource('TerraformResource', `${prefix}-aks`, { type: 'kubernetes_cluster', region: ctx.tenant.region }),
        resource('TerraformResource', `${prefix}-storage`, { type: 'storage_account', region: ctx.tenant.region }),
        resource('TerraformResource', `${prefix}-postgres`, { type: 'postgresql_server', region: ctx.tenant.region }),
      ];
    },
    (ctx) => ({
      outputs: { cluster: `matih-${ctx.tenant.slug}-aks` },
      placement: {
        deploymentType: DeploymentType.DEDICATED,
        ...(ctx.tenant.cloudProvider === 'AZURE' ? { azureAksClusterName: `matih-${ctx.tenant.slug}-aks` } : {}),
      },
    }),
  );
}
