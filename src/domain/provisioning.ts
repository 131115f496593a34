/**
 * The coarse provisioning states of spec/003 (TenantProvisioningState). The engine (issue 3)
 * moves a job through them; the control-plane tier records the first two as done.
 */
export const ProvisioningState = {
  INITIAL: 'INITIAL',
  VALIDATING_INPUT: 'VALIDATING_INPUT',
  CREATING_TENANT_RECORD: 'CREATING_TENANT_RECORD',
  ALLOCATING_SHARED_CLUSTER: 'ALLOCATING_SHARED_CLUSTER',
  CONFIGURING_QUOTAS: 'CONFIGURING_QUOTAS',
  VALIDATING_SERVICE_PRINCIPAL: 'VALIDATING_SERVICE_PRINCIPAL',
  ACQUIRING_TERRAFORM_LOCK: 'ACQUIRING_TERRAFORM_LOCK',
  PROVISIONING_INFRASTRUCTURE: 'PROVISIONING_INFRASTRUCTURE',
  CREATING_KUBERNETES_RESOURCES: 'CREATING_KUBERNETES_RESOURCES',
  DEPLOYING_SERVICES: 'DEPLOYING_SERVICES',
  VERIFYING_CONNECTIVITY: 'VERIFYING_CONNECTIVITY',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  // The stages of the lifecycle operations (spec/002 "Tenant Lifecycle Operations", spec/000).
  UPDATING: 'UPDATING',
  RECONCILING: 'RECONCILING',
  SUSPENDING: 'SUSPENDING',
  REACTIVATING: 'REACTIVATING',
  DELETING: 'DELETING',
  DEPROVISIONING: 'DEPROVISIONING',
} as const;
export type ProvisioningState = (typeof ProvisioningState)[keyof typeof ProvisioningState];

/** Where a job stands as a unit of work, apart from which state of the plan it is in. */
export const JobStatus = {
  PENDING: 'PENDING',
  RUNNING: 'RUNNING',
  ROLLING_BACK: 'ROLLING_BACK',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** spec/002 ProvisioningState.status: the per-tenant view of provisioning. */
export const ProvisioningStatus = {
  IN_PROGRESS: 'IN_PROGRESS',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
} as const;
export type ProvisioningStatus = (typeof ProvisioningStatus)[keyof typeof ProvisioningStatus];

const FINISHED: ReadonlySet<string> = new Set([JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED]);

export function isJobFinished(status: string): boolean {
  return FINISHED.has(status);
}

/**
 * What a job does. Every operation on a tenant is a job of the same engine (claim, lease, one
 * commit per step, retries, audit, events, live progress); its kind picks its plan.
 */
export const JobKind = {
  PROVISION: 'PROVISION',
  /** A declaration change (tier, configuration): converge the live tenant to it. */
  UPDATE: 'UPDATE',
  /** The reconciler's repair of drift, or catch-up with a newer generation. */
  RECONCILE: 'RECONCILE',
  SUSPEND: 'SUSPEND',
  REACTIVATE: 'REACTIVATE',
  /** spec/002 deletion: archive, tear down, remove the record. */
  DELETE: 'DELETE',
  /** spec/000 deprovision: tear the infrastructure down, keep the tenant record. */
  DEPROVISION: 'DEPROVISION',
} as const;
export type JobKind = (typeof JobKind)[keyof typeof JobKind];
export const JOB_KINDS: readonly JobKind[] = Object.values(JobKind);

export function parseJobKind(value: string): JobKind {
  if (!(JOB_KINDS as readonly string[]).includes(value)) throw new Error(`unknown job kind ${value}`);
  return value as JobKind;
}

/**
 * Only a provisioning rolls back: the tenant was never live, and a half-made data plane is worth
 * less than none. Every other operation works on a live tenant (or is itself a teardown): undoing
 * its steps would delete what users have, so a failure stops, keeps the tenant as it is, and is
 * retried from the failed step.
 */
export function rollsBackOnFailure(kind: JobKind): boolean {
  return kind === JobKind.PROVISION;
}

export const DEFAULT_MAX_RETRIES = 3;
