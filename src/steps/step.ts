import type { CloudProvider } from '../domain/cloud.js';
import type { InfrastructureConfiguration } from '../domain/infrastructure-configuration.js';
import type { StepName } from '../domain/plans.js';
import type { JobKind } from '../domain/provisioning.js';
import type { TenantNotifications } from '../domain/settings.js';
import type { NetworkIsolation } from '../domain/network-isolation.js';
import type { DeploymentType, Tier } from '../domain/tiers.js';
import type { Difference } from '../domain/drift.js';
import type {
  CertificateIssuer,
  ClusterDriver,
  DnsDriver,
  DnsZoneObservation,
  InventoryItem,
  SecretBox,
  TenantDatabaseDriver,
  TenantDatabaseObservation,
  TenantDatabaseSpec,
} from '../drivers/contract.js';

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
  /** Where its alerts go (its notification settings). Absent: the defaults, email to the admin. */
  notifications?: TenantNotifications;
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
 * What the drift detector observed of one live tenant, through the drivers, for the steps to
 * compare with what they recorded. The detector reads what many tenants share once (the cluster
 * inventory of a page of tenants, a parent DNS zone), and the databases and zones the page's
 * tenants ask for in one batch per page: a step asks for what it compares as soon as it can,
 * without waiting for another read, so that its ask joins the page's batch.
 */
export interface TenantObservation {
  tenantId: string;
  slug: string;
  /** What the tenant's steps recorded when they last ran, by step. */
  outputs: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The commit of the tenant's last job: nobody but a job of the tenant writes its objects. */
  lastJobCommitAt: Date;
  now: Date;
  /** The cluster objects labelled with the tenant. */
  objects(): Promise<readonly InventoryItem[]>;
  database(spec: TenantDatabaseSpec): Promise<TenantDatabaseObservation>;
  zone(name: string): Promise<DnsZoneObservation>;
  /**
   * A parent zone as the sweep read it; `confirm` reads it again when that read is older than
   * this tenant's observation (a delegation written since would look missing in it).
   */
  parentZone(name: string, confirm?: boolean): Promise<DnsZoneObservation>;
}

/**
 * One step of a plan. `run` is idempotent: it observes, acts only on the difference, and may be
 * run again after a crash half-way through. `rollback` removes what `run` made, including what a
 * failed run made part-way, and is idempotent too. `observe` compares what the step recorded
 * with what is there now (changing nothing), for the drift detector: the differences a re-run of
 * the step repairs. A step without it holds nothing a sweep can see.
 */
export interface StepHandler {
  readonly name: StepName;
  run(ctx: StepContext): Promise<StepResult>;
  rollback(ctx: StepContext): Promise<void>;
  observe?(observed: TenantObservation): Promise<Difference[]>;
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

/**
 * spec/002 DEPLOY_SERVICES' `{environment}`: its name and its values file
 * (`--values values-{environment}.yaml`), checked when the service started.
 */
export interface DeployEnvironment {
  name: string;
  /** YAML text, a mapping of Helm values (or empty), as the operator wrote it. */
  values: string;
}

/**
 * How the platform Alertmanager sends a tenant's alert emails (MATIH_ALERT_SMTP_*). A field left
 * out is the Alertmanager's own global SMTP setting (`smtp_smarthost`, `smtp_from`,
 * `smtp_require_tls`), which is also what happens with no AlertSmtp at all.
 */
export interface AlertSmtp {
  /** `host:port` of the relay. */
  smarthost?: string;
  /** The From address, `address` or `Name <address>`. */
  from?: string;
  requireTls?: boolean;
}

export interface StepOptions {
  /** Parent DNS zone of the tenant zones. */
  baseDomain: string;
  /** DEPLOY_MONITORING: how alert emails are sent; absent, the Alertmanager's globals. */
  alertSmtp?: AlertSmtp;
  /** The environment every tenant's services are deployed for (MATIH_ENVIRONMENT). */
  environment: DeployEnvironment;
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
  /** What tenant pods may reach outside their namespace: CONFIGURE_NETWORKING's egress policies. */
  networkIsolation: NetworkIsolation;
}
