/* ------------------------------------------------------------------------------------------ *
 * Enterprise (issue 5, spec/003 "Enterprise Tier Path"): the service principal the dedicated
 * infrastructure is built with, the per-tenant Terraform state lock, and Terraform itself.
 * ------------------------------------------------------------------------------------------ */

/** Which tenant's infrastructure a service principal is checked for. */
export interface ServicePrincipalRequest {
  tenantId: string;
  /** The tenant's cloud: an Azure service principal can build AZURE infrastructure only. */
  cloudProvider: string;
  signal?: AbortSignal;
}

export interface ServicePrincipalValidation {
  /** The credentials authenticate and may use the subscription. */
  valid: boolean;
  /** The subscription the infrastructure goes into, when known. */
  subscriptionId?: string;
  /** Why not valid, for the step's error. Never a secret. */
  reason?: string;
}

/**
 * Checks the credentials Terraform will build a tenant's dedicated infrastructure with. Where the
 * credentials come from (platform configuration today) is the validator's business. Rejected
 * credentials are a result (`valid: false`), not an exception; only a failure to ask (network,
 * throttling, an identity service error) throws, as a retryable DriverError.
 */
export interface ServicePrincipalValidator {
  validate(request: ServicePrincipalRequest): Promise<ServicePrincipalValidation>;
}

export type TerraformLockAcquisition =
  | {
      acquired: true;
      /** The previous holder whose lock was taken over (it had finished, failed or lost its lease). */
      tookOverFrom?: string;
      expiresAt: Date;
    }
  | { acquired: false; holderJobId: string; expiresAt: Date };

export interface TerraformLockHolder {
  holderJobId: string;
  acquiredAt: Date;
  expiresAt: Date;
}

/**
 * One Terraform run per tenant state at a time across every replica (spec/003
 * ACQUIRING_TERRAFORM_LOCK). A lock belongs to a provisioning job. It is free again when its
 * holder releases it, when its own lease runs out, or when the holding job is no longer running
 * (finished, failed, or its lease lost): nothing has to remember to release it on those paths.
 */
export interface TerraformStateLocks {
  /** Takes the lock for `holderJobId`, or renews it when already held by that job, for `leaseMs`. */
  acquire(stateKey: string, holderJobId: string, leaseMs: number): Promise<TerraformLockAcquisition>;
  /** Gives the lock up; true when `holderJobId` held it. Releasing a lock one does not hold changes nothing. */
  release(stateKey: string, holderJobId: string): Promise<boolean>;
  /** Who holds the lock now; undefined when it is free (never taken, released, expired or abandoned). */
  holder(stateKey: string): Promise<TerraformLockHolder | undefined>;
}

/**
 * What a tenant's dedicated infrastructure is, as data (spec/003: cluster, networking, storage,
 * and spec/004: a dedicated PostgreSQL). The Terraform driver's module set turns it into
 * configuration; the names are the step's, so outputs and placement name the same things.
 */
export interface DedicatedInfrastructure {
  tenantId: string;
  slug: string;
  cloudProvider: string;
  region: string;
  names: {
    resourceGroup: string;
    network: string;
    cluster: string;
    storageAccount: string;
    database: string;
  };
  /** Put on every resource, so the cloud's own tooling finds what belongs to a tenant. */
  tags: Readonly<Record<string, string>>;
}

/** One tenant's Terraform root: its state under `stateKey` (`tenants/{tenantId}.tfstate`). */
export interface TerraformWorkspace {
  tenantId: string;
  stateKey: string;
  infrastructure: DedicatedInfrastructure;
}

/** Terraform's change summary ("Plan: 1 to add, 0 to change, 0 to destroy."). */
export interface TerraformChanges {
  add: number;
  change: number;
  remove: number;
}

export interface TerraformPlannedChange {
  address: string;
  /** create, update, delete, replace, read, noop, move, import, forget. */
  action: string;
}

export interface TerraformPlan {
  /** Anything to apply: resources, or outputs only (terraform plan -detailed-exitcode 2). */
  hasChanges: boolean;
  changes: TerraformChanges;
  planned: TerraformPlannedChange[];
}

export interface TerraformOutputs {
  /** The non-sensitive outputs. Sensitive values are dropped where they are read: never stored or logged. */
  values: Record<string, unknown>;
  /** Names of the outputs withheld as sensitive. */
  sensitive: string[];
}

/** One line of Terraform's machine-readable stream, reduced to what a person watching needs. */
export interface TerraformProgress {
  /** The stream message type: planned_change, apply_start, apply_progress, apply_complete, apply_errored, change_summary, diagnostic, ... */
  type: string;
  /** Terraform's own one-line text (`@message`); sensitive values are already redacted by Terraform. */
  message: string;
  level: 'info' | 'warn' | 'error';
  address?: string;
  action?: string;
  elapsedSeconds?: number;
  changes?: TerraformChanges & { operation: string };
}

export interface TerraformRunOptions {
  /** Aborted when the job loses its lease: Terraform is interrupted (it then releases its own state lock). */
  signal: AbortSignal;
  onProgress?: (event: TerraformProgress) => void;
}

/**
 * Terraform over one tenant workspace: `terraform` or `tofu` through its CLI, or the simulated
 * runner (a test double emitting the same stream). Errors are DriverErrors carrying Terraform's
 * diagnostic; retryable when a retry can help (a held state lock, the network), else permanent.
 * Every verb is idempotent: Terraform converges on the configuration from whatever state it finds.
 */
export interface TerraformDriver {
  /** Writes the tenant's configuration into its working directory and runs `terraform init` against its state. */
  init(workspace: TerraformWorkspace, options: TerraformRunOptions): Promise<void>;
  /** `terraform plan -json -out`: what `apply` would change; the plan is saved for `apply`. */
  plan(workspace: TerraformWorkspace, options: TerraformRunOptions): Promise<TerraformPlan>;
  /** `terraform apply -json` of the plan saved by `plan`. */
  apply(workspace: TerraformWorkspace, options: TerraformRunOptions): Promise<TerraformChanges>;
  /** `terraform output -json`, sensitive values withheld. */
  output(workspace: TerraformWorkspace, options: TerraformRunOptions): Promise<TerraformOutputs>;
  /** The addresses of the resources in the state (`terraform state list`). */
  resources(workspace: TerraformWorkspace, options: TerraformRunOptions): Promise<string[]>;
  /** `terraform destroy -json`: removes everything in the state; an empty or absent state is success. */
  destroy(workspace: TerraformWorkspace, options: TerraformRunOptions): Promise<TerraformChanges>;
}
