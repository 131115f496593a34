import type { Transaction, UpdateObject } from 'kysely';
import { ERROR_CODES, type TenantOperation } from '../../domain/error-codes.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { OPERATION_RULES, admit } from '../../domain/operations.js';
import { type JobKind, JobStatus } from '../../domain/provisioning.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import type { Tier } from '../../domain/tiers.js';
import type { Schema } from '../schema.js';
import type { TenantRow } from '../tenants/tenant-row.js';
import { enqueueOperation } from './enqueue-operation.js';

const OPEN = [JobStatus.PENDING, JobStatus.RUNNING, JobStatus.ROLLING_BACK];

/** The tenant row, locked for the rest of the transaction: operations on one tenant queue up here. */
export async function lockTenant(trx: Transaction<Schema>, tenantId: string): Promise<TenantRow> {
  const tenant = await trx.selectFrom('tenants').selectAll().where('id', '=', tenantId).forUpdate().executeTakeFirst();
  if (!tenant) throw new NotFoundError('tenant', tenantId);
  return tenant;
}

/** The tenant row locked for the transaction; a deleted tenant (a tombstone) is not there to change. */
export async function lockLiveTenant(trx: Transaction<Schema>, tenantId: string): Promise<TenantRow> {
  const tenant = await lockTenant(trx, tenantId);
  if (tenant.status === TenantStatus.DELETED) throw new NotFoundError('tenant', tenantId);
  return tenant;
}

/** The tenant's unfinished job, if any (at most one: the open-job index sees to it). */
export async function openJobOf(trx: Transaction<Schema>, tenantId: string) {
  return trx.selectFrom('tenantProvisioningJobs').select(['id', 'kind', 'status']).where('tenantId', '=', tenantId).where('status', 'in', OPEN).executeTakeFirst();
}

/** 409 naming the job in flight: one operation at a time per tenant. Call with the tenant locked. */
export async function requireNoOpenJob(trx: Transaction<Schema>, tenantId: string): Promise<void> {
  const open = await openJobOf(trx, tenantId);
  if (open) throw new ConflictError('status', ERROR_CODES.JOB_IN_FLIGHT, open);
}

/** What an operation adds to the commit that accepts it. */
export interface PreparedOperation {
  /** Recorded on the job's context and its audit row. */
  details?: Record<string, unknown>;
  /** The job's tier when it is not the tenant's (a tier change). */
  tier?: Tier;
  /** Columns of the tenant row written with its new status (the token cut-off of a suspension, a new placement). */
  tenantChanges?: UpdateObject<Schema, 'tenants'>;
}

export interface OperationHooks<Checked> {
  /**
   * With the tenant locked, before the lifecycle table is asked: the request's own checks (400s),
   * returning what they found (the declaration, the validated target) for the hooks below.
   */
  check?(tenant: TenantRow): Promise<Checked> | Checked;
  /**
   * Once the table admitted the request and no job is in flight: the writes the operation carries
   * (a new declaration) and what its job records; null when there is nothing to do after all.
   */
  prepare?(tenant: TenantRow, checked: Checked): Promise<PreparedOperation | null>;
  /** After the job is queued, in the same commit: what names the job (an event, the infrastructure record). */
  started?(tenant: TenantRow, jobId: string, checked: Checked): Promise<void>;
}

export interface OperationRequestInput {
  tenantId: string;
  /** The operation, or how to choose it from the tenant (spec/000 provision: update or provision). */
  kind: JobKind | ((tenant: TenantRow) => JobKind);
  actor: string;
  /** What asked for it (`tenant.suspend_requested`, `infrastructure.put`), on the job and its audit row. */
  trigger: string;
  maxRetries: number;
  /** The verb the refusals use, when the route's differs from the operation's. */
  verb?: TenantOperation;
}

export interface RequestedOperation<Checked> {
  /** The tenant as locked, before this request changed it. */
  tenant: TenantRow;
  /** What the check hook returned. */
  checked: Checked;
  kind: JobKind;
  /** `start`: a job was queued, unless prepare found nothing to do; `done`: nothing to do; `under-way`: the job doing it. */
  admission: 'start' | 'done' | 'under-way';
  jobId: string | null;
}

/**
 * Every lifecycle request goes through here, in the caller's transaction: lock the tenant, check
 * the request, ask the domain's lifecycle table (start, nothing to do, already under way, or a
 * 409), refuse while another job is in flight, then in one commit the operation's writes, the
 * tenant's new status and the queued job.
 */
export async function requestOperation<Checked = undefined>(
  trx: Transaction<Schema>,
  input: OperationRequestInput,
  hooks: OperationHooks<Checked> = {},
): Promise<RequestedOperation<Checked>> {
  const tenant = await lockTenant(trx, input.tenantId);
  const kind = typeof input.kind === 'function' ? input.kind(tenant) : input.kind;
  const rule = OPERATION_RULES[kind];
  if (tenant.status === TenantStatus.DELETED && !rule.refusesDeleted) throw new NotFoundError('tenant', tenant.id);
  // Without a check hook there is nothing checked: Checked is then its default, undefined.
  const checked = (hooks.check ? await hooks.check(tenant) : undefined) as Checked;
  const admission = admit(kind, tenant.status as TenantStatus, input.verb);
  if (admission === 'done') return { tenant, checked, kind, admission, jobId: null };
  if (admission === 'under-way') return { tenant, checked, kind, admission, jobId: await jobUnderWay(trx, tenant.id, kind) };
  if (admission !== 'start' && !rule.busyFirst) throw admission.refused;
  await requireNoOpenJob(trx, tenant.id);
  if (admission !== 'start') throw admission.refused;
  const prepared = hooks.prepare ? await hooks.prepare(tenant, checked) : {};
  if (prepared === null) return { tenant, checked, kind, admission, jobId: null };
  if (rule.onRequest !== undefined || prepared.tenantChanges !== undefined) {
    await trx
      .updateTable('tenants')
      .set({ ...(rule.onRequest === undefined ? {} : { status: rule.onRequest }), ...prepared.tenantChanges, updatedAt: new Date() })
      .where('id', '=', tenant.id)
      .execute();
  }
  const { jobId } = await enqueueOperation(trx, {
    tenantId: tenant.id,
    kind,
    tier: prepared.tier ?? (tenant.tier as Tier),
    actor: input.actor,
    trigger: input.trigger,
    maxRetries: input.maxRetries,
    ...(prepared.details ? { details: prepared.details } : {}),
  });
  await hooks.started?.(tenant, jobId, checked);
  return { tenant, checked, kind, admission, jobId };
}

/**
 * The job of an operation already under way (a teardown), so that asking again is idempotent; or,
 * when that job stopped, a 409 saying why and how to resume it, rather than a second one beside it.
 */
async function jobUnderWay(trx: Transaction<Schema>, tenantId: string, kind: JobKind): Promise<string> {
  const open = await openJobOf(trx, tenantId);
  if (open?.kind === kind) return open.id;
  const last = await trx
    .selectFrom('tenantProvisioningJobs')
    .select(['id', 'status', 'errorMessage'])
    .where('tenantId', '=', tenantId)
    .where('kind', '=', kind)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const { stopped } = OPERATION_RULES[kind];
  if (!stopped) throw new Error(`the lifecycle table gives ${kind} a status for under way but no code for a stopped job`);
  throw new ConflictError('status', stopped, { id: last?.id, status: last?.status ?? JobStatus.FAILED, errorMessage: last?.errorMessage }, tenantId);
}
