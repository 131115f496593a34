import type { CloudProvider } from '../domain/cloud.js';
import type { InfrastructureConfiguration } from '../domain/infrastructure-configuration.js';
import type { StepName } from '../domain/plans.js';
import type { JobKind } from '../domain/provisioning.js';
import type { DeploymentType, Tier } from '../domain/tiers.js';
import type { CertificateIssuer, ClusterDriver, DnsDriver, SecretBox, TenantDatabaseDriver } from '../drivers/contract.js';

/** What a step knows of the tenant it works for. */
export interface TenantFacts {
  id: string;
  slug: string;
  tier: Tier;
  region: string;
  cloudProvider: CloudProvider;
  adminEmail: string;
  namespace: string;
  /**
   * The declared infrastructure configuration (spec/000): storage quota, HA replicas, database
   * size. Absent: the tier's defaults.
   */
  infrastructure?: InfrastructureConfiguration;
  /** The declaration says suspended: every workload at zero replicas (spec/002 "Suspension"). */
  suspended?: boolean;
}

export interface StepContext {
  tenant: TenantFacts;
  jobId: string;
  /** The job's operation and the declaration's generation it converges to (the terminal steps record them). */
  operation: { kind: JobKind; generation: number };
  /** Outputs of the steps completed before this one, by step name. */
  outputs: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Aborted when the job loses its lease or is cancelled: stop waiting, change nothing more. */
  signal: AbortSignal;
  /** Who asked for the tenant and when (spec/004's namespace annotations); stable across re-runs. */
  provenance: { provisionedAt: string; provisionedBy: string };
}

/** Tenant record fields the data-plane tier fills in (spec/003: null after the control-plane tier). */
export interface TenantPlacement {
  deploymentType?: DeploymentType;
  kubernetesNamespace?: string;
  azureAksClusterName?: string;
}

export interface StepResult {
  outputs: Record<string, unknown>;
  placement?: TenantPlacement;
}

/**
 * One step of a plan. `run` is idempotent: it observes, acts only on the difference, and may be
 * run again after a crash half-way through. `rollback` removes what `run` made, including what a
 * failed run made part-way, and is idempotent too.
 */
export interface StepHandler {
  readonly name: StepName;
  run(ctx: StepContext): Promise<StepResult>;
  rollback(ctx: StepContext): Promise<void>;
}

/**
 * How the tenant's certificate is made (DESIGN.md section 5): by the control plane's own CA
 * (`local-ca`, the default: CREATE_TENANT_INGRESS writes the Secret), or by cert-manager in the
 * cluster (the step declares a Certificate and waits until cert-manager reports it Ready).
 */
export type TlsProvider = { mode: 'local-ca'; issuer: CertificateIssuer } | { mode: 'cert-manager' };

export interface StepDrivers {
  cluster: ClusterDriver;
  tenantDatabase: TenantDatabaseDriver;
  secretBox: SecretBox;
  dns: DnsDriver;
  tls: TlsProvider;
}

export interface StepOptions {
  /** Parent DNS zone of the tenant zones. */
  baseDomain: string;
  /** How long a step waits for its workloads to become ready. */
  readyTimeoutMs: number;
  /** How long VERIFY waits for each service to answer healthy. */
  verifyTimeoutMs: number;
  /** How often VERIFY asks an unhealthy service again. */
  verifyIntervalMs: number;
  /** Prefix of the server-wide tenant database names (roles, dedicated databases). */
  tenantDbPrefix: string;
  /** How long DEPLOY_INGRESS_CONTROLLER waits for the LoadBalancer address (spec/004: 600 s). */
  loadBalancerWaitMs: number;
  /** TTL of the records CREATE_DNS_ZONE writes. */
  dnsTtl: number;
  /**
   * Create the parent zone when it is absent: right for the embedded DNS server, which starts
   * empty; with a provider (PowerDNS, Azure) the parent zone is the platform's and its absence
   * is an operator's mistake CREATE_DNS_ZONE reports.
   */
  createParentZone: boolean;
}
