import { ERROR_CODES, type ErrorCode, type ErrorKind, type StoppedJob, type TenantOperation } from './error-codes.js';
import { ConflictError } from './errors.js';
import { JOB_KINDS, JobKind } from './provisioning.js';
import { TENANT_STATUSES, TenantStatus } from './tenant-status.js';

/**
 * The tenant lifecycle as one table: for each operation (a job kind), from which statuses a
 * request for it starts a job, when asking is a no-op or joins the job already doing it, the
 * status the tenant takes on the request, and where it ends when the job succeeds or fails.
 * `store/engine/request-operation.ts` applies the request side for every lifecycle route, the
 * engine's finish and fail commits the end side; the status moves of `allowedTransitions` are
 * derived from it, so there is no second copy to drift.
 */
export interface OperationRule {
  /** The statuses from which a request starts a job. */
  readonly startsFrom: readonly TenantStatus[];
  /** The status at which asking again has nothing to do (suspending a suspended tenant). */
  readonly doneAt?: TenantStatus;
  /** The status that means this operation is under way: asking again answers with its job. */
  readonly underWayAt?: TenantStatus;
  /** For an operation that can be under way: the 409 when its job stopped (failed, cancelled) and how to resume it. */
  readonly stopped?: ErrorCode<[job: StoppedJob, tenantId: string], typeof ErrorKind.CONFLICT>;
  /** The status the tenant takes in the commit that accepts the request (absent: it keeps its own). */
  readonly onRequest?: TenantStatus;
  /** The status the job's success leaves the tenant in (absent: as it is). */
  readonly onSuccess?: TenantStatus;
  /** The status a failed or cancelled job leaves the tenant in (absent: as it is, for a retry or a repair). */
  readonly onFailure?: TenantStatus;
  /**
   * A request while another job is in flight is refused with job_in_flight before its status is
   * judged: the status it would be refused for is that job's, and changes when it ends (spec/000's
   * infrastructure API: provision or deprovision during a provisioning). Otherwise a status the
   * operation cannot start from is refused first, as it will be whatever the job does.
   */
  readonly busyFirst?: true;
  /**
   * A deleted tenant (a tombstone) is refused with the status named, as the suspension switches
   * always answered; for every other operation it is not found (there is nothing left to change).
   */
  readonly refusesDeleted?: true;
  /** The verb the refusals use. */
  readonly verb: TenantOperation;
  /** The 409 for a request from any status not allowed above. */
  refuse(status: TenantStatus, verb: TenantOperation): ConflictError;
}

const T = TenantStatus;

/** Only a live tenant's infrastructure is changed; a suspended one is reactivated first. */
function notLive(status: TenantStatus, verb: TenantOperation): ConflictError {
  if (status === T.SUSPENDED && (verb === 'change' || verb === 'provision')) return new ConflictError('status', ERROR_CODES.TENANT_SUSPENDED, verb);
  return new ConflictError('status', ERROR_CODES.TENANT_NOT_ACTIVE, status, verb);
}

export const OPERATION_RULES: Readonly<Record<JobKind, OperationRule>> = {
  /**
   * Creation is its own request (the create transaction sets PROVISIONING); a provision request
   * (spec/000 POST provision) starts one for a tenant without infrastructure. Provisioning ends
   * ACTIVE, or FAILED, from where it can be retried, provisioned again or deprovisioned.
   */
  [JobKind.PROVISION]: {
    startsFrom: [T.DEPROVISIONED, T.FAILED],
    onRequest: T.PROVISIONING,
    onSuccess: T.ACTIVE,
    onFailure: T.FAILED,
    busyFirst: true,
    verb: 'provision',
    refuse: notLive,
  },
  /** A declaration change converges a live tenant; a failed update leaves it ACTIVE (the reconciler retries). */
  [JobKind.UPDATE]: { startsFrom: [T.ACTIVE], onSuccess: T.ACTIVE, verb: 'change', refuse: notLive },
  /** The reconciler's repair of drift, for a tenant that has infrastructure to repair. */
  [JobKind.RECONCILE]: { startsFrom: [T.ACTIVE, T.SUSPENDED], verb: 'change', refuse: notLive },
  /** spec/002 "Suspension": SUSPENDED at once (credentials refused), workloads scaled down by the job. */
  [JobKind.SUSPEND]: { startsFrom: [T.ACTIVE], doneAt: T.SUSPENDED, onRequest: T.SUSPENDED, refusesDeleted: true, verb: 'suspend', refuse: notLive },
  /** spec/002 "Reactivation": SUSPENDED until every service passed its health check, then ACTIVE. */
  [JobKind.REACTIVATE]: {
    startsFrom: [T.SUSPENDED],
    doneAt: T.ACTIVE,
    onSuccess: T.ACTIVE,
    refusesDeleted: true,
    verb: 'change',
    refuse: (status) => new ConflictError('status', ERROR_CODES.TENANT_NOT_SUSPENDED, status),
  },
  /** spec/000 DELETE: the infrastructure goes, the record stays (DEPROVISIONED, provisionable again). */
  [JobKind.DEPROVISION]: {
    startsFrom: [T.ACTIVE, T.SUSPENDED, T.FAILED],
    doneAt: T.DEPROVISIONED,
    underWayAt: T.DEPROVISIONING,
    stopped: ERROR_CODES.DEPROVISION_STOPPED,
    onRequest: T.DEPROVISIONING,
    onSuccess: T.DEPROVISIONED,
    busyFirst: true,
    verb: 'deprovision',
    refuse: notLive,
  },
  /**
   * spec/002 "Deletion": from anywhere but a deletion (its job answers) and a deleted tenant (not
   * found). A deletion that fails stays DELETING and resumes; it never goes back.
   */
  [JobKind.DELETE]: {
    startsFrom: [T.PROVISIONING, T.ACTIVE, T.FAILED, T.SUSPENDED, T.DEPROVISIONING, T.DEPROVISIONED],
    underWayAt: T.DELETING,
    stopped: ERROR_CODES.DELETION_STOPPED,
    onRequest: T.DELETING,
    onSuccess: T.DELETED,
    verb: 'change',
    refuse: () => new ConflictError('status', ERROR_CODES.ALREADY_DELETING),
  },
};

/** What a request for an operation does, given the tenant's status (before looking at its jobs). */
export type Admission =
  /** Start a job (once no other job is in flight). */
  | 'start'
  /** Nothing to do: the tenant already is where the operation would take it. */
  | 'done'
  /** The operation is under way: answer with its job (or say why it stopped). */
  | 'under-way'
  /** Not from this status: the 409 to answer (see busyFirst for when). */
  | { refused: ConflictError };

/** Decides a request by the table. */
export function admit(kind: JobKind, status: TenantStatus, verb: TenantOperation = OPERATION_RULES[kind].verb): Admission {
  const rule = OPERATION_RULES[kind];
  if (status === rule.doneAt) return 'done';
  if (status === rule.underWayAt) return 'under-way';
  if (rule.startsFrom.includes(status)) return 'start';
  return { refused: rule.refuse(status, verb) };
}

/** Whether a job of `kind` may start for a tenant in `status` (the reconciler asks without throwing). */
export function mayStart(kind: JobKind, status: TenantStatus): boolean {
  return OPERATION_RULES[kind].startsFrom.includes(status);
}

/**
 * spec/000 POST provision is "declare and converge": a live tenant gets an update, one without
 * infrastructure (deprovisioned, or a failed provisioning) a provisioning.
 */
export function provisionRequestKind(status: TenantStatus): JobKind {
  return status === T.ACTIVE ? JobKind.UPDATE : JobKind.PROVISION;
}

/**
 * The status a retried job puts the tenant back in: a failed provisioning made the tenant FAILED,
 * and its retry is provisioning again; any other operation left the status alone.
 */
export function statusOnRetry(kind: JobKind): TenantStatus | undefined {
  const rule = OPERATION_RULES[kind];
  return rule.onFailure === undefined ? undefined : rule.onRequest;
}

function deriveTransitions(): Readonly<Record<TenantStatus, readonly TenantStatus[]>> {
  const moves = new Map<TenantStatus, Set<TenantStatus>>(TENANT_STATUSES.map((s) => [s, new Set<TenantStatus>()]));
  const add = (from: TenantStatus, to: TenantStatus | undefined) => {
    if (to !== undefined && to !== from) moves.get(from)?.add(to);
  };
  for (const kind of JOB_KINDS) {
    const rule = OPERATION_RULES[kind];
    for (const from of rule.startsFrom) {
      add(from, rule.onRequest);
      const during = rule.onRequest ?? from;
      add(during, rule.onSuccess);
      add(during, rule.onFailure);
    }
  }
  return Object.fromEntries([...moves].map(([from, to]) => [from, [...to]])) as Record<TenantStatus, TenantStatus[]>;
}

const TRANSITIONS = deriveTransitions();

/** Every status a tenant in `from` can move to through some operation of the table. */
export function allowedTransitions(from: TenantStatus): readonly TenantStatus[] {
  return TRANSITIONS[from];
}
