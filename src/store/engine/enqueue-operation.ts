import { sql, type Transaction } from 'kysely';
import { newId } from '../../domain/ids.js';
import { DEFAULT_MAX_RETRIES, type JobKind, JobStatus, ProvisioningState } from '../../domain/provisioning.js';
import type { Tier } from '../../domain/tiers.js';
import type { Schema } from '../schema.js';
import { appendAudit } from './audit.js';

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
 * and checked no job is in flight: requestOperation, or the reconciler's queueReconcile). The
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
