import type { Tier } from '../../domain/tiers.js';
import type { CloudProvider } from '../../domain/cloud.js';
import type { StepRecord } from '../../domain/progress.js';

export interface ClaimedJob {
  id: string;
  tenantId: string;
  kind: string;
  tier: Tier;
  status: string;
  currentState: string;
  currentStep: string | null;
  retryCount: number;
  maxRetries: number;
  errorMessage: string | null;
  failedStep: string | null;
  cancelRequestedBy: string | null;
  initiatedBy: string;
  tenant: {
    id: string;
    name: string;
    slug: string;
    tier: Tier;
    region: string;
    cloudProvider: CloudProvider;
    adminEmail: string;
    createdAt: Date;
  };
  steps: Map<string, StepRecord & { outputs: Record<string, unknown> }>;
}
