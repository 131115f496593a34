import { sql, type Transaction } from 'kysely';
import { newId } from '../../domain/ids.js';
import { planFor } from '../../domain/plans.js';
import { DEFAULT_MAX_RETRIES, JobKind, JobStatus, ProvisioningState, ProvisioningStatus } from '../../domain/provisioning.js';
import type { Tier } from '../../domain/tiers.js';
import { currentTraceparent } from '../../shared/tracing.js';
import type { Schema } from '../schema.js';
import { appendAudit } from './audit.js';
import { firstStepOf, planStepRows } from './plan-step-rows.js';

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
 * Queues a job of `kind` for the tenant, its plan's step rows laid out and the tenant's
 * provisioning state pointing at it, in the caller's transaction (which has locked the tenant
 * and checked no job is in flight: requestOperation, or the reconciler's queueReconcile). The
 * workers pick it up like any job: same claim, lease, retries, audit, events and progress.
 */
export async function enqueueOperation(trx: Transaction<Schema>, op: EnqueueOperation): Promise<{ jobId: string }> {
  const jobId = newId();
  const plan = planFor(op.tier, op.kind);
  await trx
    .insertInto('tenantProvisioningJobs')
    .values({
      id: jobId,
      tenantId: op.tenantId,
      kind: op.kind,
      tier: op.tier,
      currentState: ProvisioningState.INITIAL,
      currentStep: firstStepOf(plan),
      status: JobStatus.PENDING,
      initiatedBy: op.actor,
      startedAt: null,
      completedAt: null,
      errorMessage: null,
      maxRetries: op.maxRetries ?? DEFAULT_MAX_RETRIES,
      nextRetryAt: null,
      context: JSON.stringify({ trigger: op.trigger, ...op.details }),
      // The request or sweep queueing it: the job's runs join its trace.
      traceParent: currentTraceparent() ?? null,
    })
    .execute();
  const createdAt = sql<Date>`(select created_at from tenants where id = ${op.tenantId})`;
  await trx.insertInto('provisioningSteps').values(planStepRows(jobId, plan, createdAt)).execute();
  await trx
    .updateTable('tenantProvisioningState')
    .set({
      jobId,
      status: ProvisioningStatus.IN_PROGRESS,
      failureReason: null,
      lastUpdatedAt: sql<Date>`now()`,
      // A (re)provisioning starts the tenant's record of outputs afresh: what a teardown or an
      // older placement left there describes nothing that exists any more.
      ...(op.kind === JobKind.PROVISION ? { phaseOutputs: '{}', startedAt: new Date(), retryCount: 0 } : {}),
    })
    .where('tenantId', '=', op.tenantId)
    .execute();
  await appendAudit(trx, op.tenantId, jobId, [
    { kind: 'OPERATION', trigger: op.trigger, toState: ProvisioningState.INITIAL, actor: op.actor, details: { kind: op.kind, tier: op.tier, ...op.details } },
  ]);
  return { jobId };
}
