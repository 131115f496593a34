import type { Selectable } from 'kysely';
import type { CloudProvider } from '../../domain/cloud.js';
import type { Tenant } from '../../domain/tenant.js';
import type { TenantStatus } from '../../domain/tenant-status.js';
import type { DeploymentType, Tier } from '../../domain/tiers.js';
import type { TenantsTable } from '../schema.js';

/** A tenants row as the store reads it (status and tier as stored strings). */
export type TenantRow = Selectable<TenantsTable>;

/** The one place a tenants row becomes a domain Tenant; the CHECK constraints guarantee the casts. */
export function toTenant(row: Selectable<TenantsTable>): Tenant {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    tier: row.tier as Tier,
    status: row.status as TenantStatus,
    region: row.region,
    cloudProvider: row.cloudProvider as CloudProvider,
    adminEmail: row.adminEmail,
    deploymentType: row.deploymentType as DeploymentType | null,
    kubernetesNamespace: row.kubernetesNamespace,
    azureAksClusterName: row.azureAksClusterName,
    provisioningStartedAt: row.provisioningStartedAt,
    provisioningCompletedAt: row.provisioningCompletedAt,
    provisioningError: row.provisioningError,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
