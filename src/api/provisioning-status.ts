import { NotFoundError } from '../domain/errors.js';
import { planFor } from '../domain/plans.js';
import { computeProgress, type StepRecord } from '../domain/progress.js';
import { JobStatus, ProvisioningState, isJobFinished, parseJobKind } from '../domain/provisioning.js';
import type { Tier } from '../domain/tiers.js';
import { readProvisioning } from '../store/engine/read-provisioning.js';
import type { Db } from '../store/open-database.js';

/** The status document of spec/003, computed from the plan and the step records. */
export async function provisioningStatus(db: Db, tenantId: string, now = new Date()) {
  const snapshot = await readProvisioning(db, tenantId);
  if (!snapshot) throw new NotFoundError('tenant', tenantId);
  const { tenant, job, steps } = snapshot;
  if (!job) throw new NotFoundError('provisioning job of tenant', tenantId);
  const plan = planFor(job.tier as Tier, parseJobKind(job.kind));
  // The job's step rows were laid out when it was queued: the document is read from them alone.
  const records = new Map<string, StepRecord>(steps.map((s) => [s.name, s]));
  const progress = computeProgress(plan, records, now);
  const finished = isJobFinished(job.status);
  return {
    tenantId: tenant.id,
    status: tenant.status,
    currentPhase: finished && job.status !== JobStatus.SUCCEEDED ? ProvisioningState.FAILED : progress.currentPhase,
    completedPhases: progress.completedPhases,
    remainingPhases: progress.remainingPhases,
    progress: job.status === JobStatus.SUCCEEDED ? 100 : progress.progress,
    startedAt: job.startedAt ?? tenant.provisioningStartedAt,
    estimatedCompletion: finished ? null : progress.estimatedCompletion,
    retryCount: job.retryCount,
    currentStep: finished ? null : progress.currentStep,
    steps,
    errorMessage: job.errorMessage,
    nextRetryAt: job.nextRetryAt,
    completedAt: job.completedAt,
    job: {
      id: job.id,
      kind: job.kind,
      status: job.status,
      maxRetries: job.maxRetries,
      initiatedBy: job.initiatedBy,
      // spec/003 TenantProvisioningJob: the tier it runs for, its state, and its context (what
      // asked for it and the declaration it carries out; no secret is ever put there).
      tier: job.tier,
      currentState: job.currentState,
      context: job.context,
    },
    lastSequence: snapshot.lastSeq,
  };
}
