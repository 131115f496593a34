import type { Tier } from '../../domain/tiers.js';
import type { CloudProvider } from '../../domain/cloud.js';
import type { InfrastructureConfiguration } from '../../domain/infrastructure-configuration.js';
import type { StepRecord } from '../../domain/progress.js';
import type { JobKind } from '../../domain/provisioning.js';
import type { TenantNotifications } from '../../domain/settings.js';

export interface ClaimedJob {
  id: string;
  tenantId: string;
  kind: JobKind;
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
  /** When the job was queued: its duration to a terminal state is measured from here. */
  createdAt: Date;
  /** W3C traceparent of the request or sweep that queued it (when traced): each run joins that trace. */
  traceParent: string | null;
  /**
   * Who provisioned the infrastructure the job works on (spec/004's `provisioned-by`): the
   * initiator of the tenant's latest provisioning, as the email of the key's user where it has one.
   * The same for every job of that infrastructure, so a re-run never changes the annotation.
   */
  provisionedBy: string;
  tenant: {
    id: string;
    name: string;
    slug: string;
    tier: Tier;
    region: string;
    cloudProvider: CloudProvider;
    adminEmail: string;
    createdAt: Date;
    status: string;
    /** Where its alerts go (its settings as this claim read them), for DEPLOY_MONITORING. */
    notifications: TenantNotifications;
  };
  /** The tenant's declaration as this claim read it (spec/000 DesiredInfrastructureState). */
  desired: { generation: number; suspended: boolean; configuration: InfrastructureConfiguration };
  steps: Map<string, StepRecord & { outputs: Record<string, unknown> }>;
}
