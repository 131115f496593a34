/**
 * The shapes of the API documents matihctl reads. They are copied from the OpenAPI description,
 * not imported: the CLI speaks HTTP only and must keep working against any compatible server.
 * Only the fields the CLI uses are typed; --output json prints whatever the server sent.
 */

export interface FieldProblem {
  field: string;
  message: string;
  in?: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  code: string;
  detail: string;
  errors?: FieldProblem[];
}

export interface Tenant {
  id: string;
  name: string;
  slug: string;
  tier: string;
  status: string;
  region: string;
  cloudProvider: string;
  adminEmail: string;
  createdAt: string;
  [field: string]: unknown;
}

export interface CreatedTenant extends Tenant {
  initialApiKey: { id: string; key: string; role: string };
  provisioningJobId: string;
}

export interface TenantPage {
  items: Tenant[];
  nextCursor: string | null;
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

/** One row of the tenant's history, as the WebSocket sends it. */
export interface Transition {
  seq: number;
  jobId: string | null;
  kind: string;
  fromState: string | null;
  toState: string | null;
  step: string | null;
  trigger: string;
  details: Record<string, unknown>;
  actor: string;
  createdAt: string;
}

export interface JobAccepted {
  tenantId?: string;
  jobId: string | null;
  status: string;
  fromStep?: string;
}

export interface DeletionRequest {
  tenantId: string;
  slug: string;
  confirmationCode: string;
  expiresAt: string;
}

export interface TenantUpdate {
  tenant: Tenant;
  jobId: string | null;
  generation: number;
}

export interface InfraConfiguration {
  databaseSize?: string;
  storageGb?: number;
  enableHa?: boolean;
}

export interface Infrastructure {
  id: string;
  tenantId: string;
  status: string;
  cloudProvider: string;
  region: string;
  namespace: string;
  configuration: InfraConfiguration;
  terraformStateKey: string | null;
  updatedAt: string;
  desiredState: {
    tier: string;
    configuration: InfraConfiguration;
    suspended: boolean;
    generation: number;
    observedGeneration: number;
  } | null;
  currentJob: { id: string; kind: string; status: string } | null;
  jobId?: string | null;
}

export interface InfraTransition {
  seq: number;
  fromState: string | null;
  toState: string;
  trigger: string;
  jobId: string | null;
  timestamp: string;
}

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
}

/** Pages of the audit log and of infrastructure transitions: a sequence number cursor. */
export interface SeqPage<T> {
  items: T[];
  nextCursor: number | null;
}

export interface WhoAmI {
  actor: string;
  role: string;
  tenantId: string | null;
  via: string;
}
