import { EventType } from './events.js';
import type { InfrastructureConfiguration } from './infrastructure-configuration.js';
import { OPERATION_RULES } from './operations.js';
import { JobKind } from './provisioning.js';
import type { Tenant } from './tenant.js';
import type { TenantStatus } from './tenant-status.js';

/**
 * What the end of a job means for its tenant, by job kind: the status it leaves (from the
 * operation table), what else changes, and the event that tells the world. The engine hands the
 * outcome to the store's finish or fail commit, which makes exactly those writes.
 */

/** Step outputs by step name, as the job's steps recorded them. */
export type StepOutputs = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** An event for the outbox, written in the commit that ends the job. */
export interface PendingEvent {
  type: EventType;
  payload: Record<string, unknown>;
}

/** What the commit that ends a successful job knows when it builds the event. */
export interface SuccessFacts {
  jobId: string;
  tenantId: string;
  /** The tenant as this commit leaves it (read before a deletion removes it). */
  tenant: Tenant;
  generation: number;
  configuration: InfrastructureConfiguration;
  outputs: StepOutputs;
  /** What the terminal step recorded: a teardown's receipt, a converging run's changes. */
  receipt: Record<string, unknown>;
  durationMs: number | null;
}

export interface JobSuccess {
  /** The status the tenant takes (absent: as it is); DELETED removes its record, leaving a tombstone. */
  tenantStatus?: TenantStatus;
  /** spec/002 phase 8: the tenant admin becomes ACTIVE in IAM, the provisioning is marked complete. */
  activatesTenant: boolean;
  /** An earlier failure's message is cleared from the tenant. */
  clearsError: boolean;
  /** The history's job.succeeded row keeps the terminal step's receipt (what a teardown removed). */
  keepsReceipt: boolean;
  event(facts: SuccessFacts): PendingEvent | null;
}

const announce = (facts: SuccessFacts) => ({ tenantId: facts.tenantId, slug: facts.tenant.slug, tenantName: facts.tenant.name, adminEmail: facts.tenant.adminEmail, jobId: facts.jobId });

const SUCCESS: Readonly<Record<JobKind, Omit<JobSuccess, 'tenantStatus'>>> = {
  /** spec/002 phase 8, spec/004 "Provisioning Completion": TENANT_PROVISIONED, with the welcome notification. */
  [JobKind.PROVISION]: {
    activatesTenant: true,
    clearsError: true,
    keepsReceipt: false,
    event: (f) => ({
      type: EventType.TENANT_PROVISIONED,
      payload: { tenant: f.tenant, adminEmail: f.tenant.adminEmail, tenantName: f.tenant.name, slug: f.tenant.slug, jobId: f.jobId, durationMs: f.durationMs },
    }),
  },
  [JobKind.UPDATE]: {
    activatesTenant: false,
    clearsError: true,
    keepsReceipt: false,
    event: (f) => ({
      type: EventType.TENANT_UPDATED,
      payload: { tenantId: f.tenantId, slug: f.tenant.slug, tier: f.tenant.tier, generation: f.generation, configuration: f.configuration, jobId: f.jobId, changed: changesOf(f.outputs) },
    }),
  },
  /** A repair says what it repaired; a run that found nothing to change says nothing. */
  [JobKind.RECONCILE]: {
    activatesTenant: false,
    clearsError: false,
    keepsReceipt: false,
    event: (f) => {
      const repaired = changesOf(f.outputs);
      if (Object.keys(repaired).length === 0) return null;
      return { type: EventType.DRIFT_REPAIRED, payload: { tenantId: f.tenantId, jobId: f.jobId, generation: f.generation, repaired } };
    },
  },
  /** spec/002 "Suspension" 4-5: TENANT_SUSPENDED, which notifies the tenant admin. */
  [JobKind.SUSPEND]: {
    activatesTenant: false,
    clearsError: false,
    keepsReceipt: false,
    event: (f) => ({ type: EventType.TENANT_SUSPENDED, payload: { ...announce(f), scaledDown: changesOf(f.outputs) } }),
  },
  /** spec/002 "Reactivation" 3-4: ACTIVE once every service passed its health check, TENANT_ACTIVATED. */
  [JobKind.REACTIVATE]: {
    activatesTenant: false,
    clearsError: false,
    keepsReceipt: false,
    event: (f) => ({ type: EventType.TENANT_ACTIVATED, payload: announce(f) }),
  },
  [JobKind.DEPROVISION]: {
    activatesTenant: false,
    clearsError: false,
    keepsReceipt: true,
    event: (f) => ({ type: EventType.TENANT_DEPROVISIONED, payload: { tenantId: f.tenantId, slug: f.tenant.slug, jobId: f.jobId, removed: removedBy(f.outputs) } }),
  },
  /** spec/002 "Deletion" 7-8: the record goes (a tombstone stays for the history), TENANT_DELETED with the receipt. */
  [JobKind.DELETE]: {
    activatesTenant: false,
    clearsError: false,
    keepsReceipt: true,
    event: (f) => ({ type: EventType.TENANT_DELETED, payload: { ...announce(f), receipt: f.receipt } }),
  },
};

/** The outcome of a successful job of `kind`. */
export function successOf(kind: JobKind): JobSuccess {
  const tenantStatus = OPERATION_RULES[kind].onSuccess;
  return { ...SUCCESS[kind], ...(tenantStatus === undefined ? {} : { tenantStatus }) };
}

/** What the commit that ends a failed or cancelled job knows when it builds the event. */
export interface FailureFacts {
  jobId: string;
  tenantId: string;
  kind: JobKind;
  tenant: Pick<Tenant, 'slug' | 'name' | 'adminEmail'> | undefined;
  reason: string;
  failedStep: string | null;
  cancelled: boolean;
}

export interface JobFailure {
  /** The status a failed job of this kind leaves the tenant in, with the reason as its provisioning error. */
  tenantStatus?: TenantStatus;
  /** Only from this status: a tenant that moved on meanwhile (deleted) is left where it is. */
  tenantStatusFrom?: TenantStatus;
  event(facts: FailureFacts): PendingEvent;
}

/**
 * A provisioning that fails makes the tenant FAILED and notifies its admin; any other operation
 * leaves the tenant's status as it was (ACTIVE, SUSPENDED, or DELETING for a deletion to resume)
 * and says so in its event.
 */
export function failureOf(kind: JobKind): JobFailure {
  const rule = OPERATION_RULES[kind];
  if (rule.onFailure !== undefined) {
    return {
      tenantStatus: rule.onFailure,
      ...(rule.onRequest === undefined ? {} : { tenantStatusFrom: rule.onRequest }),
      event: (f) => ({
        type: f.cancelled ? EventType.PROVISIONING_CANCELLED : EventType.PROVISIONING_FAILED,
        payload: { tenantId: f.tenantId, jobId: f.jobId, slug: f.tenant?.slug, tenantName: f.tenant?.name, adminEmail: f.tenant?.adminEmail, reason: f.reason, failedStep: f.failedStep },
      }),
    };
  }
  return {
    event: (f) => ({
      type: kind === JobKind.RECONCILE ? EventType.RECONCILE_FAILED : EventType.OPERATION_FAILED,
      payload: { tenantId: f.tenantId, jobId: f.jobId, kind: f.kind, slug: f.tenant?.slug, reason: f.reason, failedStep: f.failedStep, cancelled: f.cancelled },
    }),
  };
}

/** Per step, what a converging run changed: the objects applied or pruned, the records written. */
export function changesOf(outputs: StepOutputs): Record<string, Record<string, unknown>> {
  const changed: Record<string, Record<string, unknown>> = {};
  for (const [step, out] of Object.entries(outputs)) {
    const picked: Record<string, unknown> = {};
    for (const key of ['applied', 'pruned', 'written', 'created', 'repaired'] as const) {
      const value = out[key];
      if (Array.isArray(value) ? value.length > 0 : value === true) picked[key] = value;
    }
    if (Object.keys(picked).length > 0) changed[step] = picked;
  }
  return changed;
}

/** Per step of a teardown, what it removed (and the audit archive it wrote). */
export function removedBy(outputs: StepOutputs): Record<string, unknown> {
  const removed: Record<string, unknown> = {};
  for (const [step, out] of Object.entries(outputs)) if ('removed' in out || 'archive' in out) removed[step] = out;
  return removed;
}
