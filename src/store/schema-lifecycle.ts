import type { ColumnType } from 'kysely';
import type { CreatedAt, Json, UpdatedAt } from './schema-columns.js';

/** The tables of the tenant lifecycle, the infrastructure service, DNS and Terraform (migrations 0004-0008). */

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
