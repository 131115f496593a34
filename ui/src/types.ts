/** The shapes of the API's answers the dashboard reads (src/api/schemas, seen over HTTP). */

export const TENANT_STATUSES = ['PROVISIONING', 'ACTIVE', 'FAILED', 'SUSPENDED', 'DELETING', 'DELETED', 'DEPROVISIONING', 'DEPROVISIONED'] as const;
export const TIERS = ['FREE', 'PROFESSIONAL', 'ENTERPRISE'] as const;
export const CLOUD_PROVIDERS = ['AZURE', 'AWS', 'GCP'] as const;
export const DEFAULT_REGION: Readonly<Record<string, string>> = { AZURE: 'eastus', AWS: 'us-east-1', GCP: 'us-central1' };

export interface Tenant {
  id: string;
  name: string;
  slug: string;
  tier: string;
  status: string;
  region: string;
  cloudProvider: string;
  adminEmail: string;
  provisioningStartedAt: string | null;
  kubernetesNamespace: string | null;
  provisioningCompletedAt: string | null;
  provisioningError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TenantPage {
  items: Tenant[];
  nextCursor: string | null;
}

export interface CreatedTenant extends Tenant {
  initialApiKey: { id: string; key: string; role: string };
  provisioningJobId: string;
}

export interface StepState {
  name: string;
  stage: string;
  position: number;
  status: string;
  attempts: number;
  startedAt: string | null;
  completedAt: string | null;
  lastError: string | null;
}

export interface ProvisioningStatus {
  tenantId: string;
  status: string;
  currentPhase: string;
  completedPhases: string[];
  remainingPhases: string[];
  progress: number;
  startedAt: string | null;
  estimatedCompletion: string | null;
  retryCount: number;
  currentStep: string | null;
  steps: StepState[];
  errorMessage: string | null;
  nextRetryAt: string | null;
  completedAt: string | null;
  job: { id: string; kind: string; status: string; maxRetries: number; initiatedBy: string };
  lastSequence: number;
}

/** One row of a tenant's history: from GET .../audit (`time`) or the WebSocket (`createdAt`). */
export interface AuditEntry {
  seq: number;
  time: string;
  kind: string;
  trigger: string;
  fromState: string | null;
  toState: string | null;
  step: string | null;
  jobId: string | null;
  actor: string;
  details: Record<string, unknown>;
}

export interface AuditPage {
  items: AuditEntry[];
  nextCursor: number | null;
}

export interface Infrastructure {
  id: string;
  tenantId: string;
  status: string;
  cloudProvider: string;
  region: string;
  namespace: string;
  configuration: Record<string, unknown>;
  terraformStateKey: string | null;
  createdAt: string;
  updatedAt: string;
  desiredState: {
    tier: string;
    region: string;
    cloudProvider: string;
    configuration: Record<string, unknown>;
    suspended: boolean;
    generation: number;
    observedGeneration: number;
    lastReconciledAt: string | null;
    updatedBy: string;
    updatedAt: string;
  } | null;
  currentJob: { id: string; kind: string; status: string } | null;
}

export interface Transition {
  id: string;
  seq: number;
  fromState: string | null;
  toState: string;
  trigger: string;
  details: Record<string, unknown>;
  jobId: string | null;
  timestamp: string;
}

export interface TransitionPage {
  items: Transition[];
  nextCursor: number | null;
}

export interface SweepSummary {
  scope: 'full' | 'targeted';
  owner?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  tenantsChecked: number;
  clean: number;
  drifted: number;
  jobsQueued: number;
  deferred: number;
  errors: number;
  skipped?: string;
}

export interface ReconcilerStatus {
  intervalSeconds: number;
  maxJobs: number;
  running: boolean;
  sweeping: boolean;
  owner: string;
  leaseOwner: string | null;
  nextSweepAt: string | null;
  lastSweep: SweepSummary | null;
  lastPass: SweepSummary | null;
  openReconcileJobs: number;
}

export interface SystemStatus {
  time: string;
  jobs: { byStatus: Record<string, number>; waitingForRetry: number };
  outbox: { undelivered: number; failing: number; oldestAgeSeconds: number | null };
  workers: { owner: string; jobs: number; latestLeaseUntil: string }[];
  leases: {
    jobId: string;
    tenantId: string;
    slug: string | null;
    kind: string;
    status: string;
    currentStep: string | null;
    leaseOwner: string;
    leaseUntil: string;
    expired: boolean;
  }[];
  recentDrift: { tenantId: string; slug: string | null; seq: number; actor: string; differences: string[]; createdAt: string }[];
}

export interface WhoAmI {
  actor: string;
  role: string;
  tenantId: string | null;
  via: string;
  permissions: string[];
}

export interface FieldProblem {
  field: string;
  message: string;
  in: string;
}

/** RFC 9457 problem details, as every error of the API is sent. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  code?: string;
  detail?: string;
  errors?: FieldProblem[];
}
