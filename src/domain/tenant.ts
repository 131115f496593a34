import type { CloudProvider } from './cloud.js';
import type { TenantStatus } from './tenant-status.js';
import type { DeploymentType, Tier } from './tiers.js';

/** The tenant record of spec/003, plus the fields the control plane keeps beside it. */
export interface Tenant {
  id: string;
  name: string;
  slug: string;
  tier: Tier;
  status: TenantStatus;
  region: string;
  cloudProvider: CloudProvider;
  adminEmail: string;
  deploymentType: DeploymentType | null;
  kubernetesNamespace: string | null;
  azureAksClusterName: string | null;
  provisioningStartedAt: Date | null;
  provisioningCompletedAt: Date | null;
  provisioningError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a caller asks for; validated into a {@link NewTenant}. */
export interface CreateTenantRequest {
  name: string;
  slug: string;
  tier: string;
  adminEmail: string;
  cloudProvider?: string | undefined;
  region?: string | undefined;
}

/** A create request that passed every rule of spec/002 VALIDATE, normalised. */
export interface NewTenant {
  name: string;
  slug: string;
  tier: Tier;
  adminEmail: string;
  cloudProvider: CloudProvider;
  region: string;
}

/** The namespace convention of spec/004 phase 1. */
export function namespaceFor(slug: string): string {
  return `matih-${slug}`;
}
