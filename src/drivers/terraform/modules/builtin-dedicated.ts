import type { DedicatedInfrastructure } from '../../contract.js';
import type { TerraformDeclaration, TerraformModuleSet } from '../terraform-configuration.js';

const ref = (expression: string) => `\${${expression}}`;

/**
 * The same four parts as the Azure module set (network, cluster, storage, database) and the same
 * output names, as Terraform's built-in `terraform_data` resources: nothing to download, nothing
 * created outside the state. For tests of the real binary and machines without a cloud; a
 * stand-in, not infrastructure.
 */
export function builtinDedicatedModules(): TerraformModuleSet {
  return { name: 'builtin-dedicated', requiredProviders: {}, providers: {}, declare };
}

function declare(infra: DedicatedInfrastructure): TerraformDeclaration {
  const common = { region: infra.region, cloud: infra.cloudProvider, tags: { ...infra.tags } };
  return {
    resource: {
      terraform_data: {
        network: { input: { ...common, name: infra.names.network, resource_group: infra.names.resourceGroup } },
        cluster: { input: { ...common, name: infra.names.cluster, network_id: ref('terraform_data.network.id') } },
        storage: { input: { ...common, name: infra.names.storageAccount } },
        database: {
          input: { ...common, name: infra.names.database, fqdn: `${infra.names.database}.postgres.local`, network_id: ref('terraform_data.network.id') },
        },
      },
    },
    output: {
      cluster_name: { value: ref('terraform_data.cluster.output.name') },
      cluster_id: { value: ref('terraform_data.cluster.id') },
      resource_group: { value: ref('terraform_data.network.output.resource_group') },
      network_id: { value: ref('terraform_data.network.id') },
      storage_account_name: { value: ref('terraform_data.storage.output.name') },
      postgres_fqdn: { value: ref('terraform_data.database.output.fqdn') },
      // Stands in for the database password: a value that must never reach outputs or logs.
      postgres_admin_password: { value: ref('sha256(terraform_data.database.id)'), sensitive: true },
    },
  };
}
