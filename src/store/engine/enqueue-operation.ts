import { sql, type Transaction } from 'kysely';
import { ERROR_CODES, type ErrorCode, type ErrorKind, type StoppedJob } from '../../domain/error-codes.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { newId } from '../../domain/ids.js';
import { DEFAULT_MAX_RETRIES, type JobKind, JobStatus, ProvisioningState } from '../../domain/provisioning.js';
import type { Tier } from '../../domain/tiers.js';
import type { Schema } from '../schema.js';
import { appendAudit } from './audit.js';

const OPEN = [JobStatus.PENDING, JobStatus.RUNNING, JobStatus.ROLLING_BACK];

/** The tenant row, locked for the rest of the transaction: operations on one tenant queue up here. */
export async function lockTenant(trx: Transaction<Schema>, tenantId: string) {
  const tenant = await trx.selectFrom('tenants').selectAll().where('id', '=', tenantId).forUpdate().executeTakeFirst();
  if (!tenant) throw new NotFoundError('tenant', tenantId);
  return tenant;
}

/** The tenant's unfinished job, if any (at most one: the open-job index sees to it). */
export async function openJobOf(trx: Transaction<Schema>, tenantId: string) {
  return trx
    .selectFrom('tenantProvisioningJobs')
    .select(['id', 'kind', 'status'])
    .where('tenantId', '=', tenantId)
    .where('status', 'in', OPEN)
    .executeTakeFirst();
}

/** 409 naming the job in flight: one operation at a time per tenant. Call with the tenant locked. */
export async function requireNoOpenJob(trx: Transaction<Schema>, tenantId: string): Promise<void> {
  const open = await openJobOf(trx, tenantId);
  if (open) {
    throw new ConflictError('status', ERROR_CODES.JOB_IN_FLIGHT, open);
  }
}

/**
 * For a tenant already in a teardown (DELETING, DEPROVISIONING): the open job of that `kind`, so
 * that asking again is idempotent; or, when that job stopped, a 409 (`stopped`) saying why and
 * how to resume it, rather than starting a second teardown beside it.
 */
export async function teardownInFlight(
  trx: Transaction<Schema>,
  tenantId: string,
  kind: JobKind,
  stopped: ErrorCode<[job: StoppedJob, tenantId: string], typeof ErrorKind.CONFLICT>,
): Promise<string> {
  const open = await openJobOf(trx, tenantId);
  if (open?.kind === kind) return open.id;
  const last = await trx
    .selectFrom('tenantProvisioningJobs')
    .select(['id', 'status', 'errorMessage'])
    .where('tenantId', '=', tenantId)
    .where('kind', '=', kind)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  throw new ConflictError('status', stopped, { id: last?.id, status: last?.status ?? JobStatus.FAILED, errorMessage: last?.errorMessage }, tenantId);
}

export interface EnqueueOperation {
  tenantId: string;
  kind: JobKind;
  tier: Tier;
  actor: string;
  /** What asked for it (an API call, the reconciler); recorded in the audit row. */
  trigger: string;
  maxRetries?: number;
  details?: Record<string, unknown>;
}

/**
 * Queues a job of `kind` for the tenant, in the caller's transaction (which has locked the tenant
 * and checked no job is in flight, usually with the declaration change the job carries out). The
 * workers pick it up like any job: same claim, lease, retries, audit, events and progress.
 */
export async function enqueueOperation(trx: Transaction<Schema>, op: EnqueueOperation): Promise<{ jobId: string }> {
  const jobId = newId();
  await trx
    .insertInto('tenantProvisioningJobs')
    .values({
      id: jobId,
      tenantId: op.tenantId,
      kind: op.kind,
      tier: op.tier,
      currentState: ProvisioningState.INITIAL,
      status: JobStatus.PENDING,
      initiatedBy: op.actor,
      startedAt: null,
      completedAt: null,
      errorMessage: null,
      maxRetries: op.maxRetries ?? DEFAULT_MAX_RETRIES,
      nextRetryAt: null,
      context: JSON.stringify({ trigger: op.trigger, ...op.details }),
    })
    .execute();
  await trx
    .updateTable('tenantProvisioningState')
    .set({ jobId, lastUpdatedAt: sql<Date>`now()` })
    .where('tenantId', '=', op.tenantId)
    .execute();
  await appendAudit(trx, op.tenantId, jobId, [
    { kind: 'OPERATION', trigger: op.trigger, toState: ProvisioningState.INITIAL, actor: op.actor, details: { kind: op.kind, tier: op.tier, ...op.details } },
  ]);
  return { jobId };
}
