import type { StepRecord } from '../../domain/progress.js';
import type { Db } from '../open-database.js';

export interface ProvisioningSnapshot {
  job: {
    id: string;
    kind: string;
    tier: string;
    status: string;
    currentState: string;
    currentStep: string | null;
    initiatedBy: string;
    startedAt: Date | null;
    completedAt: Date | null;
    errorMessage: string | null;
    retryCount: number;
    maxRetries: number;
    nextRetryAt: Date | null;
    failedStep: string | null;
    createdAt: Date;
  };
  steps: StepRecord[];
  lastSeq: number;
}

/** The tenant's latest job with its step records: what the status API and WebSocket show. */
export async function readProvisioning(db: Db, tenantId: string): Promise<ProvisioningSnapshot | undefined> {
  const job = await db
    .selectFrom('tenantProvisioningJobs')
    .select([
      'id', 'kind', 'tier', 'status', 'currentState', 'currentStep', 'initiatedBy', 'startedAt', 'completedAt', 'errorMessage',
      'retryCount', 'maxRetries', 'nextRetryAt', 'failedStep', 'createdAt',
    ])
    .where('tenantId', '=', tenantId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!job) return undefined;
  const steps = await db
    .selectFrom('provisioningSteps')
    .select(['name', 'stage', 'position', 'status', 'attempts', 'startedAt', 'completedAt', 'lastError'])
    .where('jobId', '=', job.id)
    .orderBy('position')
    .execute();
  const state = await db.selectFrom('tenantProvisioningState').select('eventSeq').where('tenantId', '=', tenantId).executeTakeFirst();
  return { job, steps: steps.map((s) => ({ ...s, status: s.status as StepRecord['status'] })), lastSeq: state?.eventSeq ?? 0 };
}
