import { createHash } from 'node:crypto';
import type { DedicatedInfrastructure, TerraformWorkspace } from '../../drivers/contract.js';
import { terraformStateKeyOf } from '../../domain/infrastructure.js';
import type { TenantFacts } from '../step.js';

/**
 * The Terraform state key of a tenant: `tenants/{tenantId}.tfstate`, the infrastructure record's
 * terraformStateKey (spec/000). The lock, the backend and the simulated state all use this one.
 */
export const terraformStateKey = terraformStateKeyOf;

/** The AKS cluster's name, as the tenant record's azureAksClusterName shows it. */
export function dedicatedClusterName(slug: string): string {
  return `matih-${slug}-aks`;
}

/**
 * The names of a tenant's dedicated infrastructure (spec/003). Slugs are 3 to 40 of [a-z0-9-],
 * so every name fits its Azure rule; the storage account (3-24 lower-case letters and digits,
 * unique across Azure) takes a hash of the tenant id to stay unique when slugs are reused.
 */
export function dedicatedInfrastructure(tenant: TenantFacts): DedicatedInfrastructure {
  const compact = tenant.slug.replace(/[^a-z0-9]/g, '');
  const suffix = createHash('sha256').update(tenant.id).digest('hex').slice(0, 6);
  return {
    tenantId: tenant.id,
    slug: tenant.slug,
    cloudProvider: tenant.cloudProvider,
    region: tenant.region,
    names: {
      resourceGroup: `rg-matih-${tenant.slug}`,
      network: `vnet-matih-${tenant.slug}`,
      cluster: dedicatedClusterName(tenant.slug),
      storageAccount: `mth${compact.slice(0, 15)}${suffix}`,
      database: `psql-matih-${tenant.slug}`,
    },
    // Azure tag names may not contain '/', hence not the matih.ai/ labels of the cluster objects.
    tags: { 'matih-tenant-id': tenant.id, 'matih-tenant-slug': tenant.slug, 'managed-by': 'matih-control-plane' },
  };
}

export function terraformWorkspace(tenant: TenantFacts): TerraformWorkspace {
  return { tenantId: tenant.id, stateKey: terraformStateKey(tenant.id), infrastructure: dedicatedInfrastructure(tenant) };
}
