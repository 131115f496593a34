import { DriverError, type DedicatedInfrastructure } from '../../contract.js';
import type { TerraformDeclaration, TerraformModuleSet } from '../terraform-configuration.js';

export interface AzureDedicatedOptions {
  kubernetesVersion?: string;
  nodeVmSize: string;
  nodeCount: number;
  postgresSku: string;
  postgresStorageMb: number;
  /** The tenant's private address space; every tenant has its own network, so they may repeat. */
  addressSpace: string;
}

export const AZURE_DEDICATED_DEFAULTS: AzureDedicatedOptions = {
  nodeVmSize: 'Standard_D4s_v5',
  nodeCount: 3,
  postgresSku: 'GP_Standard_D2s_v3',
  postgresStorageMb: 131_072,
  addressSpace: '10.240.0.0/16',
};

const ref = (expression: string) => `\${${expression}}`;

/**
 * spec/003 "Enterprise Tier Path" on Azure (azurerm 4.x): a resource group holding the tenant's
 * virtual network, an AKS cluster in it, a storage account, and a PostgreSQL flexible server
 * reachable only inside the network (spec/004: "Dedicated PostgreSQL instance via Terraform").
 * The provider authenticates from ARM_* environment variables (the platform's service principal),
 * so no credential appears in the configuration.
 */
export function azureDedicatedModules(options: Partial<AzureDedicatedOptions> = {}): TerraformModuleSet {
  const o = { ...AZURE_DEDICATED_DEFAULTS, ...options };
  return {
    name: 'azure-dedicated',
    requiredProviders: {
      azurerm: { source: 'hashicorp/azurerm', version: '~> 4.0' },
      random: { source: 'hashicorp/random', version: '~> 3.6' },
    },
    providers: { azurerm: { features: {} } },
    declare: (infrastructure) => declare(infrastructure, o),
  };
}

function declare(infra: DedicatedInfrastructure, o: AzureDedicatedOptions): TerraformDeclaration {
  if (infra.cloudProvider !== 'AZURE') {
    throw new DriverError(`dedicated infrastructure is defined for AZURE (AKS) only; tenant ${infra.tenantId} is on ${infra.cloudProvider}`, false);
  }
  const tags = { ...infra.tags };
  const rg = { resource_group_name: ref('azurerm_resource_group.tenant.name'), location: ref('azurerm_resource_group.tenant.location') };
  const [prefix, bits] = o.addressSpace.split('/');
  const base = (prefix ?? '10.240.0.0').split('.').slice(0, 2).join('.');
  if (bits !== '16') throw new DriverError(`the tenant address space must be a /16, not ${o.addressSpace}`, false);
  return {
    resource: {
      azurerm_resource_group: { tenant: { name: infra.names.resourceGroup, location: infra.region, tags } },
      azurerm_virtual_network: { tenant: { name: infra.names.network, ...rg, address_space: [o.addressSpace], tags } },
      azurerm_subnet: {
        aks: {
          name: 'aks',
          resource_group_name: rg.resource_group_name,
          virtual_network_name: ref('azurerm_virtual_network.tenant.name'),
          address_prefixes: [`${base}.0.0/20`],
        },
        postgres: {
          name: 'postgres',
          resource_group_name: rg.resource_group_name,
          virtual_network_name: ref('azurerm_virtual_network.tenant.name'),
          address_prefixes: [`${base}.16.0/24`],
          delegation: [
            {
              name: 'postgres',
              service_delegation: { name: 'Microsoft.DBforPostgreSQL/flexibleServers', actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'] },
            },
          ],
        },
      },
      azurerm_private_dns_zone: { postgres: { name: `${infra.slug}.private.postgres.database.azure.com`, resource_group_name: rg.resource_group_name, tags } },
      azurerm_private_dns_zone_virtual_network_link: {
        postgres: {
          name: `${infra.names.network}-postgres`,
          resource_group_name: rg.resource_group_name,
          private_dns_zone_name: ref('azurerm_private_dns_zone.postgres.name'),
          virtual_network_id: ref('azurerm_virtual_network.tenant.id'),
          tags,
        },
      },
      azurerm_kubernetes_cluster: {
        tenant: {
          name: infra.names.cluster,
          ...rg,
          dns_prefix: infra.names.cluster,
          ...(o.kubernetesVersion ? { kubernetes_version: o.kubernetesVersion } : {}),
          default_node_pool: { name: 'system', vm_size: o.nodeVmSize, node_count: o.nodeCount, vnet_subnet_id: ref('azurerm_subnet.aks.id') },
          identity: { type: 'SystemAssigned' },
          network_profile: { network_plugin: 'azure', network_policy: 'azure', service_cidr: '172.16.0.0/16', dns_service_ip: '172.16.0.10' },
          tags,
        },
      },
      azurerm_storage_account: {
        tenant: {
          name: infra.names.storageAccount,
          ...rg,
          account_tier: 'Standard',
          account_replication_type: 'ZRS',
          min_tls_version: 'TLS1_2',
          allow_nested_items_to_be_public: false,
          tags,
        },
      },
      random_password: { postgres: { length: 32, special: false } },
      azurerm_postgresql_flexible_server: {
        tenant: {
          name: infra.names.database,
          ...rg,
          version: '15',
          sku_name: o.postgresSku,
          storage_mb: o.postgresStorageMb,
          zone: '1',
          delegated_subnet_id: ref('azurerm_subnet.postgres.id'),
          private_dns_zone_id: ref('azurerm_private_dns_zone.postgres.id'),
          public_network_access_enabled: false,
          administrator_login: 'matihadmin',
          administrator_password: ref('random_password.postgres.result'),
          tags,
          depends_on: ['azurerm_private_dns_zone_virtual_network_link.postgres'],
        },
      },
    },
    output: {
      cluster_name: { value: ref('azurerm_kubernetes_cluster.tenant.name') },
      cluster_id: { value: ref('azurerm_kubernetes_cluster.tenant.id') },
      cluster_fqdn: { value: ref('azurerm_kubernetes_cluster.tenant.fqdn') },
      kube_config: { value: ref('azurerm_kubernetes_cluster.tenant.kube_config_raw'), sensitive: true },
      resource_group: { value: ref('azurerm_resource_group.tenant.name') },
      network_id: { value: ref('azurerm_virtual_network.tenant.id') },
      storage_account_name: { value: ref('azurerm_storage_account.tenant.name') },
      postgres_fqdn: { value: ref('azurerm_postgresql_flexible_server.tenant.fqdn') },
      postgres_admin_login: { value: ref('azurerm_postgresql_flexible_server.tenant.administrator_login') },
      postgres_admin_password: { value: ref('random_password.postgres.result'), sensitive: true },
    },
  };
}
