import { NotFoundError } from '../domain/errors.js';
import { SYNCHRONOUS_STEPS, planFor } from '../domain/plans.js';
import { computeProgress, type StepRecord, StepStatus } from '../domain/progress.js';
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
  const records = new Map<string, StepRecord>(steps.map((s) => [s.name, s]));
  // Before the first claim the steps are not laid out yet: show the plan with its synchronous part done.
  const shown: StepRecord[] =
    steps.length > 0
      ? steps
      : plan.steps.map((s) => ({
          name: s.name,
          stage: s.stage,
          position: s.position,
          status: SYNCHRONOUS_STEPS.has(s.name) ? StepStatus.COMPLETED : StepStatus.PENDING,
          attempts: SYNCHRONOUS_STEPS.has(s.name) ? 1 : 0,
          startedAt: SYNCHRONOUS_STEPS.has(s.name) ? tenant.createdAt : null,
          completedAt: SYNCHRONOUS_STEPS.has(s.name) ? tenant.createdAt : null,
          lastError: null,
        }));
  if (steps.length === 0) for (const s of shown) records.set(s.name, s);
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
    steps: shown,
    errorMessage: job.errorMessage,
    nextRetryAt: job.nextRetryAt,
    completedAt: job.completedAt,
    job: { id: job.id, kind: job.kind, status: job.status, maxRetries: job.maxRetries, initiatedBy: job.initiatedBy },
    lastSequence: snapshot.lastSeq,
  };
}
