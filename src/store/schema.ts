import type { ColumnType, Generated } from 'kysely';
import type { TenantSettings } from '../domain/settings.js';

/**
 * The tables as TypeScript sees them. Columns are snake_case in SQL and camelCase here; Kysely's
 * CamelCasePlugin maps between them, so the mapping lives only in store/.
 * JSON columns take a JSON string on write (both drivers then store the same thing) and come
 * back parsed.
 */
import type { CreatedAt, Json, UpdatedAt } from './schema-columns.js';
import type {
  DesiredInfrastructureStateTable,
  DnsRecordsTable,
  DnsZonesTable,
  InfrastructureStateTransitionsTable,
  ReconcilerSweepsTable,
  TenantDeletionRequestsTable,
  TenantFeatureOverridesTable,
  TenantInfrastructureTable,
  TerraformStateLocksTable,
} from './schema-lifecycle.js';

export type * from './schema-lifecycle.js';

export interface TenantsTable {
  id: string;
  name: string;
  slug: string;
  tier: string;
  status: string;
  region: string;
  cloudProvider: string;
  adminEmail: string;
  deploymentType: string | null;
  kubernetesNamespace: string | null;
  azureAksClusterName: string | null;
  provisioningStartedAt: Date | null;
  provisioningCompletedAt: Date | null;
  provisioningError: string | null;
  /** Tokens issued before this instant are refused (suspension revokes them for good). */
  tokensValidAfter: ColumnType<Date | null, Date | null | undefined, Date | null>;
  deletedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface UsersTable {
  id: string;
  tenantId: string;
  email: string;
  displayName: string | null;
  status: string;
  isTenantAdmin: boolean;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface RolesTable {
  id: string;
  tenantId: string;
  name: string;
  description: string;
  permissions: Json<string[]>;
  isSystem: boolean;
  createdAt: CreatedAt;
}

export interface UserRolesTable {
  userId: string;
  roleId: string;
}

export interface BillingPlansTable {
  id: string;
  tier: string;
  name: string;
  monthlyPriceCents: number;
  trialDays: number;
}

export interface BillingSubscriptionsTable {
  id: string;
  tenantId: string;
  planId: string;
  status: string;
  startedAt: Date;
  trialEndsAt: Date | null;
  currentPeriodEnd: Date;
}

export interface TenantSettingsTable {
  tenantId: string;
  settings: Json<TenantSettings>;
  version: number;
  updatedAt: UpdatedAt;
  updatedBy: string;
}

export interface ApiKeysTable {
  id: string;
  tenantId: string | null;
  userId: string | null;
  name: string;
  role: string;
  secretHash: string;
  createdBy: string;
  createdAt: CreatedAt;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** domain/api-key-scopes.ts; null: every scope the key's role allows. */
  scopes: string[] | null;
}

export interface RevokedTokensTable {
  jti: string;
  expiresAt: Date;
  revokedAt: CreatedAt;
  revokedBy: string;
}

export interface ArchiveObjectsTable {
  key: string;
  body: Buffer;
  sha256: string;
  createdAt: CreatedAt;
}

/** Fixed-window counters of requests and failures (migration 0011, store/limits/request-counters.ts). */
export interface RequestCountersTable {
  key: string;
  count: number;
  windowEnd: Date;
}

export interface SigningKeysTable {
  id: string;
  /** Sealed by the secret box when `sealed`; a row from before migration 9 until it is sealed. */
  secret: string;
  sealed: Generated<boolean>;
  createdAt: CreatedAt;
  retiredAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface TenantProvisioningJobsTable {
  id: string;
  tenantId: string;
  kind: string;
  tier: string;
  currentState: string;
  status: string;
  initiatedBy: string;
  startedAt: Date | null;
  completedAt: Date | null;
  errorMessage: string | null;
  retryCount: Generated<number>;
  maxRetries: number;
  nextRetryAt: Date | null;
  context: Json<Record<string, unknown>>;
  currentStep: string | null;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  cancelRequestedBy: string | null;
  failedStep: string | null;
  /** W3C traceparent of the request or sweep that queued the job (migration 0013); null when untraced. */
  traceParent: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface ProvisioningStepsTable {
  jobId: string;
  name: string;
  stage: string;
  position: number;
  status: string;
  attempts: number;
  startedAt: Date | null;
  completedAt: Date | null;
  lastError: string | null;
  outputs: Json<Record<string, unknown>>;
}

export interface TenantProvisioningStateTable {
  tenantId: string;
  jobId: string;
  currentPhase: string;
  status: string;
  failureReason: string | null;
  phaseOutputs: Json<Record<string, unknown>>;
  startedAt: Date;
  lastUpdatedAt: Date;
  retryCount: number;
  eventSeq: Generated<number>;
}

export interface ProvisioningAuditLogsTable {
  id: Generated<string>;
  tenantId: string;
  seq: number;
  jobId: string | null;
  kind: string;
  fromState: string | null;
  toState: string | null;
  step: string | null;
  trigger: string;
  details: Json<Record<string, unknown>>;
  actor: string;
  createdAt: CreatedAt;
}

export interface SimResourcesTable {
  tenantId: string;
  step: string;
  kind: string;
  name: string;
  spec: Json<Record<string, unknown>>;
  applyCount: Generated<number>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

/** The simulated cluster's objects (migration 0003); the key is (apiGroup, kind, namespace, name). */
export interface SimObjectsTable {
  apiGroup: string;
  kind: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  name: string;
  apiVersion: string;
  uid: string;
  object: Json<Record<string, unknown>>;
  labels: Json<Record<string, string>>;
  generation: number;
  /** bigint from a sequence: node-postgres reads it as a string. Set by SQL only. */
  resourceVersion: ColumnType<string | number, never, string>;
  applyCount: Generated<number>;
  readyAt: Date | null;
  loadBalancerIp: string | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface OutboxTable {
  id: Generated<string>;
  eventId: string;
  aggregateType: string;
  aggregateId: string;
  type: string;
  payload: Json<Record<string, unknown>>;
  createdAt: CreatedAt;
  deliveredAt: Date | null;
  attempts: Generated<number>;
  nextAttemptAt: ColumnType<Date, Date | undefined, Date>;
  lastError: string | null;
  /** W3C traceparent of the step or request that wrote the event (migration 0013); null when untraced. */
  traceParent: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  appliedAt: CreatedAt;
}

export interface Schema {
  tenants: TenantsTable;
  users: UsersTable;
  roles: RolesTable;
  userRoles: UserRolesTable;
  billingPlans: BillingPlansTable;
  billingSubscriptions: BillingSubscriptionsTable;
  tenantSettings: TenantSettingsTable;
  apiKeys: ApiKeysTable;
  revokedTokens: RevokedTokensTable;
  signingKeys: SigningKeysTable;
  archiveObjects: ArchiveObjectsTable;
  requestCounters: RequestCountersTable;
  tenantProvisioningJobs: TenantProvisioningJobsTable;
  outbox: OutboxTable;
  provisioningSteps: ProvisioningStepsTable;
  tenantProvisioningState: TenantProvisioningStateTable;
  provisioningAuditLogs: ProvisioningAuditLogsTable;
  simResources: SimResourcesTable;
  simObjects: SimObjectsTable;
  schemaMigrations: SchemaMigrationsTable;
  dnsZones: DnsZonesTable;
  dnsRecords: DnsRecordsTable;
  tenantFeatureOverrides: TenantFeatureOverridesTable;
  terraformStateLocks: TerraformStateLocksTable;
  desiredInfrastructureState: DesiredInfrastructureStateTable;
  tenantInfrastructure: TenantInfrastructureTable;
  infrastructureStateTransitions: InfrastructureStateTransitionsTable;
  tenantDeletionRequests: TenantDeletionRequestsTable;
  reconcilerSweeps: ReconcilerSweepsTable;
}
