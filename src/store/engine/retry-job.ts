import { ERROR_CODES } from '../../domain/error-codes.js';
import { ConflictError } from '../../domain/errors.js';
import { EventType } from '../../domain/events.js';
import { planFor } from '../../domain/plans.js';
import { StepStatus } from '../../domain/progress.js';
import { statusOnRetry } from '../../domain/operations.js';
import { JobStatus, ProvisioningStatus, parseJobKind } from '../../domain/provisioning.js';
import type { Tier } from '../../domain/tiers.js';
import type { Db } from '../open-database.js';
import { appendEvent } from '../outbox/append-event.js';
import { appendAudit } from './audit.js';
import { lockLatestJob } from './lock-latest-job.js';
import { transaction } from '../transaction.js';
import { currentTraceparent } from '../../shared/tracing.js';

/**
 * Restarts the tenant's failed (or cancelled) job at the first step not completed: the failed
 * step when nothing was rolled back, or the first rolled-back step otherwise (those steps are
 * idempotent and redo what the rollback undid). The retry budget starts afresh.
 */
export async function retryJob(db: Db, tenantId: string, actor: string): Promise<{ jobId: string; step: string }> {
  return transaction(db, async (trx) => {
    const job = await lockLatestJob(trx, tenantId);
    if (job.status !== JobStatus.FAILED && job.status !== JobStatus.CANCELLED) {
      throw new ConflictError('status', ERROR_CODES.JOB_NOT_FAILED, job.status);
    }
    const steps = await trx.selectFrom('provisioningSteps').select(['name', 'status']).where('jobId', '=', job.id).execute();
    const done = new Set(steps.filter((s) => s.status === StepStatus.COMPLETED).map((s) => s.name));
    const kind = parseJobKind(job.kind);
    const plan = planFor(job.tier as Tier, kind);
    const from = plan.steps.find((s) => !done.has(s.name));
    if (!from) throw new ConflictError('status', ERROR_CODES.NOTHING_TO_RETRY);
    await trx
      .updateTable('provisioningSteps')
      .set({ status: StepStatus.PENDING, startedAt: null, completedAt: null })
      .where('jobId', '=', job.id)
      .where('status', '!=', StepStatus.COMPLETED)
      .execute();
    // The runs after a retry join the trace of the request asking for it (when traced), not the first one's.
    const traceParent = currentTraceparent();
    await trx
      .updateTable('tenantProvisioningJobs')
      .set({
        status: JobStatus.PENDING,
        currentStep: from.name,
        currentState: from.stage,
        retryCount: 0,
        nextRetryAt: null,
        errorMessage: null,
        failedStep: null,
        cancelRequestedBy: null,
        completedAt: null,
        leaseOwner: null,
        leaseUntil: null,
        ...(traceParent ? { traceParent } : {}),
        updatedAt: new Date(),
      })
      .where('id', '=', job.id)
      .execute();
    // A provisioning that failed made the tenant FAILED; any other operation left its status alone.
    const status = statusOnRetry(kind);
    if (status !== undefined) {
      await trx.updateTable('tenants').set({ status, provisioningError: null, updatedAt: new Date() }).where('id', '=', tenantId).execute();
    }
    await trx
      .updateTable('tenantProvisioningState')
      .set({ status: ProvisioningStatus.IN_PROGRESS, failureReason: null, currentPhase: from.stage, retryCount: 0, lastUpdatedAt: new Date() })
      .where('tenantId', '=', tenantId)
      .execute();
    await appendAudit(trx, tenantId, job.id, [
      { kind: 'OPERATION', trigger: 'job.retried', fromState: job.currentState, toState: from.stage, step: from.name, actor },
    ]);
    await appendEvent(trx, tenantId, EventType.PROVISIONING_RETRIED, { tenantId, jobId: job.id, fromStep: from.name, retriedBy: actor });
    return { jobId: job.id, step: from.name };
  });
}
