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

export const JobKind = {
  PROVISION: 'PROVISION',
} as const;
export type JobKind = (typeof JobKind)[keyof typeof JobKind];

export const DEFAULT_MAX_RETRIES = 3;
