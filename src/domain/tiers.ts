/**
 * Tiers and their quotas: one table for spec/002, spec/003 and spec/004.
 * Where the seeds disagree the more detailed spec/004 wins (CPU and memory requests and limits,
 * pods); services and PVCs come from spec/003 (Free only, Professional derived below);
 * max users comes from spec/002. `null` means unlimited.
 */
export const Tier = {
  FREE: 'FREE',
  PROFESSIONAL: 'PROFESSIONAL',
  ENTERPRISE: 'ENTERPRISE',
} as const;
export type Tier = (typeof Tier)[keyof typeof Tier];
export const TIERS: readonly Tier[] = Object.values(Tier);

export function parseTier(value: string): Tier | undefined {
  const upper = value.trim().toUpperCase();
  return (TIERS as readonly string[]).includes(upper) ? (upper as Tier) : undefined;
}

export const DeploymentType = {
  SHARED: 'SHARED',
  DEDICATED: 'DEDICATED',
} as const;
export type DeploymentType = (typeof DeploymentType)[keyof typeof DeploymentType];

export const DatabaseIsolation = {
  SCHEMA_PER_TENANT: 'SCHEMA_PER_TENANT',
  DATABASE_PER_TENANT: 'DATABASE_PER_TENANT',
} as const;
export type DatabaseIsolation = (typeof DatabaseIsolation)[keyof typeof DatabaseIsolation];

export interface TierQuota {
  /** Kubernetes quantities, as they go into a ResourceQuota. */
  cpuRequests: string | null;
  cpuLimits: string | null;
  memoryRequests: string | null;
  memoryLimits: string | null;
  pods: number | null;
  services: number | null;
  persistentVolumeClaims: number | null;
  maxUsers: number | null;
}

export interface TierProfile {
  tier: Tier;
  quota: TierQuota;
  deploymentType: DeploymentType;
  databaseIsolation: DatabaseIsolation;
  /** spec/002 "Features" column; feature flags are resolved from it (issue 5). */
  features: readonly string[];
  /** Upper bound a tenant may set for its query timeout (settings). */
  maxQueryTimeoutSeconds: number;
}

export const TIER_PROFILES: Readonly<Record<Tier, TierProfile>> = {
  FREE: {
    tier: Tier.FREE,
    quota: {
      cpuRequests: '2',
      cpuLimits: '4',
      memoryRequests: '4Gi',
      memoryLimits: '8Gi',
      pods: 20,
      services: 10,
      persistentVolumeClaims: 5,
      maxUsers: 5,
    },
    deploymentType: DeploymentType.SHARED,
    databaseIsolation: DatabaseIsolation.SCHEMA_PER_TENANT,
    features: ['basic-analytics', 'limited-ai'],
    maxQueryTimeoutSeconds: 60,
  },
  PROFESSIONAL: {
    tier: Tier.PROFESSIONAL,
    quota: {
      cpuRequests: '8',
      cpuLimits: '16',
      memoryRequests: '16Gi',
      memoryLimits: '32Gi',
      pods: 50,
      // The seeds give services and PVCs for Free only; Professional scales them with its pods
      // (2.5x), which is the ratio the seeds use for pods.
      services: 25,
      persistentVolumeClaims: 12,
      maxUsers: 50,
    },
    deploymentType: DeploymentType.SHARED,
    databaseIsolation: DatabaseIsolation.SCHEMA_PER_TENANT,
    features: ['full-analytics', 'ai-chat', 'ml'],
    maxQueryTimeoutSeconds: 600,
  },
  ENTERPRISE: {
    tier: Tier.ENTERPRISE,
    quota: {
      cpuRequests: null,
      cpuLimits: null,
      memoryRequests: null,
      memoryLimits: null,
      pods: null,
      services: null,
      persistentVolumeClaims: null,
      maxUsers: null,
    },
    deploymentType: DeploymentType.DEDICATED,
    databaseIsolation: DatabaseIsolation.DATABASE_PER_TENANT,
    features: ['full-analytics', 'ai-chat', 'ml', 'custom-models', 'sla'],
    maxQueryTimeoutSeconds: 3600,
  },
};
