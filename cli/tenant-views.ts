import type { Tenant } from './api-types.js';
import { type Column, keyValues, table } from './output.js';

/** How tenants look in tables. */

const TENANT_COLUMNS: readonly Column<Tenant>[] = [
  { header: 'ID', value: (t) => t.id },
  { header: 'SLUG', value: (t) => t.slug },
  { header: 'NAME', value: (t) => t.name },
  { header: 'TIER', value: (t) => t.tier },
  { header: 'STATUS', value: (t) => t.status },
  { header: 'REGION', value: (t) => `${t.cloudProvider}/${t.region}` },
  { header: 'CREATED', value: (t) => t.createdAt },
];

export function tenantTable(tenants: readonly Tenant[]): string {
  return table(TENANT_COLUMNS, tenants);
}

export function tenantDetail(tenant: Tenant): string {
  return keyValues([
    ['id', tenant.id],
    ['name', tenant.name],
    ['slug', tenant.slug],
    ['tier', tenant.tier],
    ['status', tenant.status],
    ['cloud provider', tenant.cloudProvider],
    ['region', tenant.region],
    ['admin email', tenant.adminEmail],
    ['namespace', tenant.kubernetesNamespace],
    ['deployment', tenant.deploymentType],
    ['provisioning started', tenant.provisioningStartedAt],
    ['provisioning completed', tenant.provisioningCompletedAt],
    ['provisioning error', tenant.provisioningError],
    ['created', tenant.createdAt],
    ['updated', tenant.updatedAt],
  ]);
}
