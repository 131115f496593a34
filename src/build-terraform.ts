import path from 'node:path';
import type { ServicePrincipalValidator, TerraformDriver } from './drivers/contract.js';
import type { SimResourceStore } from './drivers/simulated/sim-resource-store.js';
import { azureDedicatedModules } from './drivers/terraform/modules/azure-dedicated.js';
import { builtinDedicatedModules } from './drivers/terraform/modules/builtin-dedicated.js';
import { moduleSetByCloud } from './drivers/terraform/modules/by-cloud.js';
import { SimulatedServicePrincipals } from './drivers/terraform/simulated-service-principals.js';
import { SimulatedTerraform } from './drivers/terraform/simulated-terraform.js';
import { simResourceTerraformStateStore } from './drivers/terraform/simulated-terraform-state.js';
import { TerraformCli } from './drivers/terraform/terraform-cli.js';
import type { Config } from './config/load-config.js';

/** The Azure service principal check of VALIDATE_SERVICE_PRINCIPAL (MATIH_SERVICE_PRINCIPAL). */
export async function buildServicePrincipals(config: Pick<Config, 'enterprise' | 'sim'>): Promise<ServicePrincipalValidator> {
  const azure = config.enterprise.azure;
  if (config.enterprise.servicePrincipal !== 'azure' || !azure) return new SimulatedServicePrincipals();
  return new (await import('./drivers/terraform/azure-service-principals.js')).AzureServicePrincipals(azure);
}

/**
 * Terraform of PROVISION_INFRASTRUCTURE (MATIH_TERRAFORM): the simulated runner keeps its state
 * in the sim_resources table; the CLI runs terraform or tofu per tenant, in the part of the
 * service's environment configuration picked for it, with the Azure service principal handed to
 * the azurerm provider through its ARM_* variables.
 */
export function buildTerraform(config: Pick<Config, 'enterprise' | 'sim'>, simStore: SimResourceStore): TerraformDriver {
  const settings = config.enterprise.terraform;
  const azureModules = moduleSetByCloud({ AZURE: azureDedicatedModules() }, builtinDedicatedModules());
  if (settings.kind === 'simulated') {
    return new SimulatedTerraform({ modules: azureModules, state: simResourceTerraformStateStore(simStore), delayMs: config.sim.delayMs });
  }
  const azure = config.enterprise.azure;
  return new TerraformCli({
    binary: settings.binary,
    rootDir: settings.dir,
    modules: settings.modules === 'builtin' ? builtinDedicatedModules() : moduleSetByCloud({ AZURE: azureDedicatedModules() }),
    backend: settings.stateAddress
      ? {
          kind: 'http',
          address: settings.stateAddress,
          ...(settings.stateLockAddress ? { lockAddress: settings.stateLockAddress } : {}),
          ...(settings.stateUsername ? { username: settings.stateUsername } : {}),
          ...(settings.statePassword ? { password: settings.statePassword } : {}),
        }
      : { kind: 'local', directory: path.join(settings.dir, 'state') },
    baseEnv: settings.hostEnv,
    env: azure
      ? { ARM_CLIENT_ID: azure.clientId, ARM_CLIENT_SECRET: azure.clientSecret, ARM_TENANT_ID: azure.directoryId, ARM_SUBSCRIPTION_ID: azure.subscriptionId }
      : {},
  });
}
