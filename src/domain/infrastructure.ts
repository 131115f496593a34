import type { StepName } from './plans.js';
import { JobKind } from './provisioning.js';

/**
 * spec/000's TenantInfrastructure.status (DESIGN.md section 2): the tenant's actual
 * infrastructure seen from below. The engine moves it as its jobs move; every move is an
 * InfrastructureStateTransition.
 */
export const InfrastructureStatus = {
  REQUESTED: 'REQUESTED',
  PLANNING: 'PLANNING',
  APPLYING: 'APPLYING',
  DEPLOYING: 'DEPLOYING',
  CONFIGURING: 'CONFIGURING',
  VERIFYING: 'VERIFYING',
  ACTIVE: 'ACTIVE',
  UPDATING: 'UPDATING',
  SUSPENDED: 'SUSPENDED',
  DEPROVISIONING: 'DEPROVISIONING',
  DEPROVISIONED: 'DEPROVISIONED',
  FAILED: 'FAILED',
} as const;
export type InfrastructureStatus = (typeof InfrastructureStatus)[keyof typeof InfrastructureStatus];

const I = InfrastructureStatus;

/**
 * spec/000's status set as its clients read it ("PROVISIONING, ACTIVE, UPDATING, etc."): one
 * PROVISIONING for the whole of a provisioning, whose detailed phase (REQUESTED, PLANNING,
 * APPLYING, DEPLOYING, CONFIGURING, VERIFYING) the API shows beside it as `phase`. The other
 * statuses are the same in both.
 */
const PROVISIONING_PHASE_LIST = [I.REQUESTED, I.PLANNING, I.APPLYING, I.DEPLOYING, I.CONFIGURING, I.VERIFYING] as const;
const PROVISIONING_PHASES: ReadonlySet<InfrastructureStatus> = new Set(PROVISIONING_PHASE_LIST);

export type InfrastructureReportedStatus = 'PROVISIONING' | Exclude<InfrastructureStatus, (typeof PROVISIONING_PHASE_LIST)[number]>;

/** spec/000's statuses, in the order of the phases they stand for. */
export const INFRASTRUCTURE_REPORTED_STATUSES: readonly InfrastructureReportedStatus[] = [
  'PROVISIONING',
  ...Object.values(I).filter((s): s is Exclude<InfrastructureReportedStatus, 'PROVISIONING'> => !PROVISIONING_PHASES.has(s)),
];

/** The status spec/000's clients see for a record at `phase`. */
export function reportedStatusOf(phase: InfrastructureStatus): InfrastructureReportedStatus {
  return PROVISIONING_PHASES.has(phase) ? 'PROVISIONING' : (phase as InfrastructureReportedStatus);
}

/**
 * spec/000's seven provisioning phases (Request, Plan, Apply, Deploy, Configure, Verify, Complete)
 * by step. A tier's plan does not visit the phases in one straight line (Free configures its
 * network policies between two deployments), so during a provisioning the status only moves
 * forward: {@link infrastructureStatusDuring} keeps the furthest phase reached.
 */
const PROVISION_PHASE: Partial<Record<StepName, InfrastructureStatus>> = {
  SELECT_CLUSTER: I.PLANNING,
  VALIDATE_SERVICE_PRINCIPAL: I.PLANNING,
  ACQUIRE_TERRAFORM_LOCK: I.PLANNING,
  CREATE_NAMESPACE: I.APPLYING,
  APPLY_QUOTAS: I.APPLYING,
  PROVISION_INFRASTRUCTURE: I.APPLYING,
  CONFIGURE_NETWORKING: I.APPLYING,
  SETUP_DATABASE: I.DEPLOYING,
  DEPLOY_SECRETS: I.DEPLOYING,
  DEPLOY_CORE_SERVICES: I.DEPLOYING,
  DEPLOY_DATA_SERVICES: I.DEPLOYING,
  DEPLOY_INGRESS_CONTROLLER: I.CONFIGURING,
  CREATE_DNS_ZONE: I.CONFIGURING,
  CREATE_TENANT_INGRESS: I.CONFIGURING,
  DEPLOY_MONITORING: I.CONFIGURING,
  SETUP_OBSERVABILITY: I.CONFIGURING,
  CONFIGURE: I.CONFIGURING,
  VERIFY: I.VERIFYING,
  ACTIVATE: I.ACTIVE,
};
const PROVISION_ORDER: readonly InfrastructureStatus[] = [I.REQUESTED, I.PLANNING, I.APPLYING, I.DEPLOYING, I.CONFIGURING, I.VERIFYING, I.ACTIVE];

/**
 * The move a job of `kind` makes at `step`: to `phase`, unless the record has already reached a
 * status later than it in `forwardOrder` (a provisioning keeps the furthest phase reached; the
 * other kinds have no order and always move). In this form so the store can apply it in SQL
 * against the status it locks, in the same statement as the step's commit.
 */
export interface InfrastructureMoveRule {
  phase: InfrastructureStatus;
  forwardOrder: readonly InfrastructureStatus[];
}

export function infrastructureMoveDuring(kind: JobKind, step: StepName): InfrastructureMoveRule {
  switch (kind) {
    case JobKind.PROVISION:
      return { phase: PROVISION_PHASE[step] ?? I.REQUESTED, forwardOrder: PROVISION_ORDER };
    case JobKind.DELETE:
    case JobKind.DEPROVISION:
      return { phase: I.DEPROVISIONING, forwardOrder: [] };
    default:
      return { phase: I.UPDATING, forwardOrder: [] };
  }
}

/** The infrastructure status while a job of `kind` is at `step`, given where the record stands. */
export function infrastructureStatusDuring(kind: JobKind, step: StepName, current: InfrastructureStatus): InfrastructureStatus {
  const { phase, forwardOrder } = infrastructureMoveDuring(kind, step);
  return forwardOrder.indexOf(current) > forwardOrder.indexOf(phase) ? current : phase;
}

/** Where a successful job of `kind` leaves the infrastructure. */
export function infrastructureStatusAfter(kind: JobKind, suspended: boolean): InfrastructureStatus {
  if (kind === JobKind.DELETE || kind === JobKind.DEPROVISION) return I.DEPROVISIONED;
  return suspended ? I.SUSPENDED : I.ACTIVE;
}

/** The Terraform state key of spec/000: `tenants/{tenantId}.tfstate`. */
export function terraformStateKeyOf(tenantId: string): string {
  return `tenants/${tenantId}.tfstate`;
}
