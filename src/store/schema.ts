import type { ColumnType, Generated } from 'kysely';
import type { TenantSettings } from '../domain/settings.js';

/**
 * The tables as TypeScript sees them. Columns are snake_case in SQL and camelCase here; Kysely's
 * CamelCasePlugin maps between them, so the mapping lives only in store/.
 * JSON columns take a JSON string on write (both drivers then store the same thing) and come
 * back parsed.
 */
type Json<T> = ColumnType<T, string, string>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;

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
}

export interface RevokedTokensTable {
  jti: string;
  expiresAt: Date;
  revokedAt: CreatedAt;
  revokedBy: string;
}

export interface SigningKeysTable {
  id: string;
  secret: string;
  createdAt: CreatedAt;
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

/** The reconciler's sweep lease and last sweep (migration 0008; store/reconcile/). */
export interface ReconcilerSweepsTable {
  name: string;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  nextSweepAt: ColumnType<Date, Date | undefined, Date>;
  lastSweep: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

/** DesiredInfrastructureState of spec/000 (migration 0007): the declaration and its generation. */
export interface DesiredInfrastructureStateTable {
  tenantId: string;
  tier: string;
  region: string;
  cloudProvider: string;
  configuration: Json<Record<string, unknown>>;
  suspended: boolean;
  generation: number;
  observedGeneration: number;
  lastReconciledAt: Date | null;
  updatedBy: string;
  updatedAt: UpdatedAt;
}

/** TenantInfrastructure of spec/000: the actual infrastructure record. */
export interface TenantInfrastructureTable {
  id: string;
  tenantId: string;
  status: string;
  cloudProvider: string;
  region: string;
  namespace: string;
  configuration: Json<Record<string, unknown>>;
  terraformStateKey: string | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

/** InfrastructureStateTransition of spec/000. */
export interface InfrastructureStateTransitionsTable {
  id: string;
  tenantId: string;
  /** bigint identity: node-postgres reads it as a string. */
  seq: ColumnType<string | number, never, never>;
  fromState: string | null;
  toState: string;
  trigger: string;
  details: Json<Record<string, unknown>>;
  jobId: string | null;
  timestamp: CreatedAt;
}

/** One-time deletion confirmation codes (spec/002 "Deletion"), hashed. */
export interface TenantDeletionRequestsTable {
  id: string;
  tenantId: string;
  codeHash: string;
  requestedBy: string;
  createdAt: CreatedAt;
  expiresAt: Date;
  usedAt: Date | null;
}

/** A tenant's feature flag overrides (migration 0005); no row until the first change. */
export interface TenantFeatureOverridesTable {
  tenantId: string;
  overrides: ColumnType<Record<string, boolean>, string, string>;
  version: number;
  updatedAt: ColumnType<Date, Date | undefined, Date>;
  updatedBy: string;
}

/** The per-tenant Terraform state lock (migration 0006; store/terraform/). */
export interface TerraformStateLocksTable {
  stateKey: string;
  holderJobId: string;
  acquiredAt: Date;
  expiresAt: Date;
}

/** The embedded DNS server's zones (migration 0004). */
export interface DnsZonesTable {
  name: string;
  /** bigint (an unsigned 32-bit SOA serial): node-postgres reads it as a string. */
  serial: ColumnType<string | number, number | undefined, number>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

/** One record set per row; the key is (zone, name, type). */
export interface DnsRecordsTable {
  zone: string;
  /** Relative to the zone: '@' for the apex, '*' for a wildcard. */
  name: string;
  type: string;
  ttl: number;
  values: Json<string[]>;
}
