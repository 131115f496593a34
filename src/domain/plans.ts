import { JobKind, ProvisioningState } from './provisioning.js';
import { Tier } from './tiers.js';

/**
 * The provisioning plan of each tier as data (DESIGN.md section 2): stages (the coarse states of
 * spec/003, shown as `currentPhase`) made of steps (the fine phases of spec/004 and spec/002).
 * The runner, the status API, progress, ETA and rollback all read these tables.
 */
export const StepName = {
  VALIDATE_REQUEST: 'VALIDATE_REQUEST',
  CHECK_CLOUD_AVAILABILITY: 'CHECK_CLOUD_AVAILABILITY',
  CREATE_CONTROL_PLANE_RECORDS: 'CREATE_CONTROL_PLANE_RECORDS',
  SELECT_CLUSTER: 'SELECT_CLUSTER',
  CREATE_NAMESPACE: 'CREATE_NAMESPACE',
  APPLY_QUOTAS: 'APPLY_QUOTAS',
  VALIDATE_SERVICE_PRINCIPAL: 'VALIDATE_SERVICE_PRINCIPAL',
  ACQUIRE_TERRAFORM_LOCK: 'ACQUIRE_TERRAFORM_LOCK',
  PROVISION_INFRASTRUCTURE: 'PROVISION_INFRASTRUCTURE',
  SETUP_DATABASE: 'SETUP_DATABASE',
  DEPLOY_SECRETS: 'DEPLOY_SECRETS',
  DEPLOY_CORE_SERVICES: 'DEPLOY_CORE_SERVICES',
  CONFIGURE_NETWORKING: 'CONFIGURE_NETWORKING',
  DEPLOY_DATA_SERVICES: 'DEPLOY_DATA_SERVICES',
  DEPLOY_INGRESS_CONTROLLER: 'DEPLOY_INGRESS_CONTROLLER',
  CREATE_DNS_ZONE: 'CREATE_DNS_ZONE',
  CREATE_TENANT_INGRESS: 'CREATE_TENANT_INGRESS',
  DEPLOY_MONITORING: 'DEPLOY_MONITORING',
  SETUP_OBSERVABILITY: 'SETUP_OBSERVABILITY',
  CONFIGURE: 'CONFIGURE',
  VERIFY: 'VERIFY',
  ACTIVATE: 'ACTIVATE',
  // Teardown (spec/002 "Deletion"), in its order.
  ARCHIVE_AUDIT_LOGS: 'ARCHIVE_AUDIT_LOGS',
  DELETE_HELM_RELEASES: 'DELETE_HELM_RELEASES',
  DELETE_TENANT_DATABASE: 'DELETE_TENANT_DATABASE',
  DELETE_NAMESPACE: 'DELETE_NAMESPACE',
  DELETE_DNS_ZONE: 'DELETE_DNS_ZONE',
  DESTROY_INFRASTRUCTURE: 'DESTROY_INFRASTRUCTURE',
  // Terminal steps the engine runs in the commit that ends a job (like ACTIVATE).
  COMPLETE: 'COMPLETE',
  DELETE_TENANT_RECORD: 'DELETE_TENANT_RECORD',
} as const;
export type StepName = (typeof StepName)[keyof typeof StepName];

/**
 * Typical seconds per step: the midpoint of spec/004's range where it gives one, an estimate
 * otherwise. The prior of the ETA and the weight of each step in the progress percentage.
 */
export const TYPICAL_SECONDS: Readonly<Record<StepName, number>> = {
  VALIDATE_REQUEST: 0.1,
  CHECK_CLOUD_AVAILABILITY: 0.1,
  CREATE_CONTROL_PLANE_RECORDS: 0.3,
  SELECT_CLUSTER: 2,
  CREATE_NAMESPACE: 17.5, // 5-30 s
  APPLY_QUOTAS: 5,
  VALIDATE_SERVICE_PRINCIPAL: 10,
  ACQUIRE_TERRAFORM_LOCK: 2,
  PROVISION_INFRASTRUCTURE: 1200, // the enterprise bottleneck (15-45 min in all)
  SETUP_DATABASE: 75, // 30-120 s
  DEPLOY_SECRETS: 5,
  DEPLOY_CORE_SERVICES: 180, // 60-300 s
  CONFIGURE_NETWORKING: 20, // 10-30 s
  DEPLOY_DATA_SERVICES: 180, // 60-300 s
  DEPLOY_INGRESS_CONTROLLER: 75, // 30-120 s
  CREATE_DNS_ZONE: 35, // 10-60 s
  CREATE_TENANT_INGRESS: 20, // 10-30 s
  DEPLOY_MONITORING: 45, // 30-60 s
  SETUP_OBSERVABILITY: 20, // 10-30 s
  CONFIGURE: 10,
  VERIFY: 30,
  ACTIVATE: 1,
  ARCHIVE_AUDIT_LOGS: 2,
  DELETE_HELM_RELEASES: 60,
  DELETE_TENANT_DATABASE: 10,
  DELETE_NAMESPACE: 30,
  DELETE_DNS_ZONE: 10,
  DESTROY_INFRASTRUCTURE: 900,
  COMPLETE: 0.1,
  DELETE_TENANT_RECORD: 0.5,
};

/**
 * How long one attempt of a step is expected to take at most, in seconds: past it, a running step
 * counts as stuck (the `matih_provisioning_jobs_stuck` gauge, and the alert on it). A threshold
 * for operators only, NOT enforced: nothing aborts a step that passes it (the step's own waits,
 * MATIH_READY_TIMEOUT_S, MATIH_LB_WAIT_S, MATIH_VERIFY_TIMEOUT_S, end it with a retryable failure).
 * 600 s by default; longer where a step waits on the outside world longer than that by design:
 * Helm releases becoming ready (the 600 s readiness wait and the install before it), the load
 * balancer address and DNS delegation, Terraform building or destroying a dedicated cluster.
 */
export const DEFAULT_STEP_TIMEOUT_SECONDS = 600;
const LONGER_STEP_TIMEOUTS: Partial<Record<StepName, number>> = {
  DEPLOY_CORE_SERVICES: 1200,
  DEPLOY_DATA_SERVICES: 1200,
  DEPLOY_INGRESS_CONTROLLER: 1200,
  DEPLOY_MONITORING: 1200,
  DELETE_HELM_RELEASES: 1200,
  CREATE_DNS_ZONE: 1200,
  PROVISION_INFRASTRUCTURE: 3600,
  DESTROY_INFRASTRUCTURE: 3600,
};
export const STEP_TIMEOUT_SECONDS: Readonly<Record<StepName, number>> = Object.fromEntries(
  (Object.values(StepName) as StepName[]).map((name) => [name, LONGER_STEP_TIMEOUTS[name] ?? DEFAULT_STEP_TIMEOUT_SECONDS]),
) as Record<StepName, number>;

/** Steps the control-plane tier completes synchronously at create; recorded, never run. */
export const SYNCHRONOUS_STEPS: ReadonlySet<StepName> = new Set([
  StepName.VALIDATE_REQUEST,
  StepName.CHECK_CLOUD_AVAILABILITY,
  StepName.CREATE_CONTROL_PLANE_RECORDS,
]);

export interface PlanStage {
  state: ProvisioningState;
  steps: readonly StepName[];
}

export interface PlanStep {
  name: StepName;
  stage: ProvisioningState;
  /** 0-based position in the whole plan. */
  position: number;
  typicalSeconds: number;
  /** STEP_TIMEOUT_SECONDS: when a running attempt counts as stuck (not enforced). */
  timeoutSeconds: number;
}

export interface Plan {
  kind: JobKind;
  tier: Tier;
  stages: readonly PlanStage[];
  steps: readonly PlanStep[];
}

const S = StepName;
const P = ProvisioningState;

const SHARED_HEAD: readonly PlanStage[] = [
  { state: P.VALIDATING_INPUT, steps: [S.VALIDATE_REQUEST, S.CHECK_CLOUD_AVAILABILITY] },
  { state: P.CREATING_TENANT_RECORD, steps: [S.CREATE_CONTROL_PLANE_RECORDS] },
  { state: P.ALLOCATING_SHARED_CLUSTER, steps: [S.SELECT_CLUSTER, S.CREATE_NAMESPACE] },
  { state: P.CONFIGURING_QUOTAS, steps: [S.APPLY_QUOTAS] },
];

const TAIL: readonly PlanStage[] = [
  { state: P.VERIFYING_CONNECTIVITY, steps: [S.VERIFY] },
  { state: P.COMPLETED, steps: [S.ACTIVATE] },
];

const DEPLOY_ALL: readonly StepName[] = [
  S.SETUP_DATABASE, S.DEPLOY_SECRETS, S.DEPLOY_CORE_SERVICES, S.CONFIGURE_NETWORKING, S.DEPLOY_DATA_SERVICES,
  S.DEPLOY_INGRESS_CONTROLLER, S.CREATE_DNS_ZONE, S.CREATE_TENANT_INGRESS, S.DEPLOY_MONITORING, S.SETUP_OBSERVABILITY,
  S.CONFIGURE,
];

const STAGES: Readonly<Record<Tier, readonly PlanStage[]>> = {
  // Free deploys a subset of the data services; which ones is the step's business, not the plan's.
  FREE: [...SHARED_HEAD, { state: P.DEPLOYING_SERVICES, steps: DEPLOY_ALL }, ...TAIL],
  PROFESSIONAL: [...SHARED_HEAD, { state: P.DEPLOYING_SERVICES, steps: DEPLOY_ALL }, ...TAIL],
  ENTERPRISE: [
    SHARED_HEAD[0]!,
    SHARED_HEAD[1]!,
    { state: P.VALIDATING_SERVICE_PRINCIPAL, steps: [S.VALIDATE_SERVICE_PRINCIPAL] },
    { state: P.ACQUIRING_TERRAFORM_LOCK, steps: [S.ACQUIRE_TERRAFORM_LOCK] },
    { state: P.PROVISIONING_INFRASTRUCTURE, steps: [S.PROVISION_INFRASTRUCTURE] },
    { state: P.CREATING_KUBERNETES_RESOURCES, steps: [S.CREATE_NAMESPACE, S.CONFIGURE_NETWORKING] },
    // spec/002's "Custom" quota: the one a platform admin declared, or none (the step then holds
    // nothing). In the plan either way, so that declaring one later is an update like any other.
    { state: P.CONFIGURING_QUOTAS, steps: [S.APPLY_QUOTAS] },
    // The network policies were made with the namespace.
    { state: P.DEPLOYING_SERVICES, steps: DEPLOY_ALL.filter((s) => s !== S.CONFIGURE_NETWORKING) },
    ...TAIL,
  ],
};

function buildPlan(kind: JobKind, tier: Tier, stages: readonly PlanStage[]): Plan {
  const steps: PlanStep[] = [];
  for (const stage of stages) {
    for (const name of stage.steps) {
      steps.push({ name, stage: stage.state, position: steps.length, typicalSeconds: TYPICAL_SECONDS[name], timeoutSeconds: STEP_TIMEOUT_SECONDS[name] });
    }
  }
  return { kind, tier, stages, steps };
}

/**
 * What brings a live tenant to its declaration again (an update, a tier change, a drift repair):
 * every step of the tier's provisioning plan that holds resources, in the same order, then
 * VERIFY. The steps observe and change only what differs, so on a tenant that matches its
 * declaration this run changes nothing. No SELECT_CLUSTER (the placement stays), no ACTIVATE.
 */
function convergeStages(tier: Tier, state: ProvisioningState): PlanStage[] {
  const steps = STAGES[tier]
    .filter((stage) => stage.state !== P.VERIFYING_CONNECTIVITY && stage.state !== P.COMPLETED)
    .flatMap((stage) => stage.steps)
    .filter((name) => !SYNCHRONOUS_STEPS.has(name) && name !== S.SELECT_CLUSTER && name !== S.VALIDATE_SERVICE_PRINCIPAL);
  return [{ state, steps }, { state: P.VERIFYING_CONNECTIVITY, steps: [S.VERIFY] }, { state: P.COMPLETED, steps: [S.COMPLETE] }];
}

/**
 * spec/002 "Suspension" and "Reactivation": the steps that own workloads run again with the
 * tenant's declaration saying suspended (every release at zero replicas) or not (the configured
 * replicas). Reactivation then waits for every service to pass its health check (VERIFY).
 */
const WORKLOAD_STEPS: readonly StepName[] = [S.DEPLOY_CORE_SERVICES, S.DEPLOY_DATA_SERVICES, S.DEPLOY_INGRESS_CONTROLLER, S.DEPLOY_MONITORING];

/** spec/002 "Deletion" (and spec/000 deprovision, which keeps the record and skips the archive). */
function teardownStages(tier: Tier, state: ProvisioningState, archive: boolean): PlanStage[] {
  const steps: StepName[] = [
    ...(archive ? [S.ARCHIVE_AUDIT_LOGS] : []),
    S.DELETE_HELM_RELEASES, S.DELETE_TENANT_DATABASE, S.DELETE_NAMESPACE, S.DELETE_DNS_ZONE,
    // The dedicated cluster and database go last, under the same state lock provisioning took.
    ...(tier === Tier.ENTERPRISE ? [S.ACQUIRE_TERRAFORM_LOCK, S.DESTROY_INFRASTRUCTURE] : []),
  ];
  return [{ state, steps }, { state: P.COMPLETED, steps: [archive ? S.DELETE_TENANT_RECORD : S.COMPLETE] }];
}

function operationStages(kind: JobKind, tier: Tier): readonly PlanStage[] {
  switch (kind) {
    case JobKind.PROVISION:
      return STAGES[tier];
    case JobKind.UPDATE:
      return convergeStages(tier, P.UPDATING);
    case JobKind.RECONCILE:
      return convergeStages(tier, P.RECONCILING);
    case JobKind.SUSPEND:
      return [{ state: P.SUSPENDING, steps: WORKLOAD_STEPS }, { state: P.COMPLETED, steps: [S.COMPLETE] }];
    case JobKind.REACTIVATE:
      return [
        { state: P.REACTIVATING, steps: WORKLOAD_STEPS },
        { state: P.VERIFYING_CONNECTIVITY, steps: [S.VERIFY] },
        { state: P.COMPLETED, steps: [S.COMPLETE] },
      ];
    case JobKind.DELETE:
      return teardownStages(tier, P.DELETING, true);
    case JobKind.DEPROVISION:
      return teardownStages(tier, P.DEPROVISIONING, false);
  }
}

const OPERATION_PLANS = new Map<string, Plan>();
for (const kind of Object.values(JobKind)) {
  for (const tier of Object.values(Tier)) OPERATION_PLANS.set(`${kind}/${tier}`, buildPlan(kind, tier, operationStages(kind, tier)));
}

/** Every plan of every operation and tier: the registry checks each step has a handler. */
export const ALL_PLANS: readonly Plan[] = [...OPERATION_PLANS.values()];

/** The plan a job of `kind` follows for a tenant of `tier`. */
export function planFor(tier: Tier, kind: JobKind = JobKind.PROVISION): Plan {
  const plan = OPERATION_PLANS.get(`${kind}/${tier}`);
  if (!plan) throw new Error(`no plan for ${kind} of ${tier}`);
  return plan;
}

/** Steps the engine runs itself, in the transaction that ends the job. */
export const TERMINAL_STEPS: ReadonlySet<StepName> = new Set([S.ACTIVATE, S.COMPLETE, S.DELETE_TENANT_RECORD]);

/** The first step the engine runs: the one after the synchronous control-plane steps. */
export function firstAsyncPosition(plan: Plan): number {
  return plan.steps.findIndex((s) => !SYNCHRONOUS_STEPS.has(s.name));
}
