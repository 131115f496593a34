import type { StepRecord } from '../../domain/progress.js';
import type { Tenant } from '../../domain/tenant.js';
import { jsonArrayFrom, jsonBuildObject } from 'kysely/helpers/postgres';
import type { Db } from '../open-database.js';
import { toTenant } from '../tenants/tenant-row.js';

export interface ProvisioningSnapshot {
  tenant: Tenant;
  /** Undefined for a tenant without a job. */
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
    context: Record<string, unknown>;
  } | undefined;
  steps: StepRecord[];
  lastSeq: number;
}

/** A step record as the statement's JSON array carries it: times as ISO text. */
type StepJson = Omit<StepRecord, 'startedAt' | 'completedAt'> & { startedAt: string | null; completedAt: string | null };

const JOB_COLUMNS = [
  'id', 'kind', 'tier', 'status', 'currentState', 'currentStep', 'initiatedBy', 'startedAt', 'completedAt', 'errorMessage',
  'retryCount', 'maxRetries', 'nextRetryAt', 'failedStep', 'createdAt', 'context',
] as const;

const dateOrNull = (text: string | null): Date | null => (text === null ? null : new Date(text));

/**
 * The tenant, its latest job, the job's step records and the history's last sequence, in ONE
 * statement: one snapshot by itself (the status never shows, say, a failed job beside a tenant
 * still provisioning) and one round trip, where it was six (a repeatable-read transaction of four
 * reads). The progress fan-out reads it after every notice, so it is on the path of every live
 * transition. Undefined when the tenant does not exist; `job` undefined when it has none.
 */
export async function readProvisioning(db: Db, tenantId: string): Promise<ProvisioningSnapshot | undefined> {
  const row = await db
    .selectFrom('tenants as t')
    .leftJoinLateral(
      (eb) => eb.selectFrom('tenantProvisioningJobs').select(JOB_COLUMNS).whereRef('tenantId', '=', 't.id').orderBy('id', 'desc').limit(1).as('j'),
      (join) => join.onTrue(),
    )
    .selectAll('t')
    // The job's columns renamed: several share a name with the tenant's.
    .select([
      'j.id as jobId', 'j.kind as jobKind', 'j.tier as jobTier', 'j.status as jobStatus', 'j.currentState as jobCurrentState',
      'j.currentStep as jobCurrentStep', 'j.initiatedBy as jobInitiatedBy', 'j.startedAt as jobStartedAt', 'j.completedAt as jobCompletedAt',
      'j.errorMessage as jobErrorMessage', 'j.retryCount as jobRetryCount', 'j.maxRetries as jobMaxRetries', 'j.nextRetryAt as jobNextRetryAt',
      'j.failedStep as jobFailedStep', 'j.createdAt as jobCreatedAt', 'j.context as jobContext',
    ])
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('provisioningSteps as s')
          .select((se) =>
            jsonBuildObject({
              name: se.ref('s.name'),
              stage: se.ref('s.stage'),
              position: se.ref('s.position'),
              status: se.ref('s.status'),
              attempts: se.ref('s.attempts'),
              startedAt: se.ref('s.startedAt'),
              completedAt: se.ref('s.completedAt'),
              lastError: se.ref('s.lastError'),
            }).as('step'),
          )
          .whereRef('s.jobId', '=', 'j.id')
          .orderBy('s.position'),
      ).as('steps'),
      eb.selectFrom('tenantProvisioningState as p').select('p.eventSeq').whereRef('p.tenantId', '=', 't.id').as('lastSeq'),
    ])
    .where('t.id', '=', tenantId)
    .executeTakeFirst();
  if (!row) return undefined;
  const {
    jobId, jobKind, jobTier, jobStatus, jobCurrentState, jobCurrentStep, jobInitiatedBy, jobStartedAt, jobCompletedAt, jobErrorMessage,
    jobRetryCount, jobMaxRetries, jobNextRetryAt, jobFailedStep, jobCreatedAt, jobContext, steps: stepRows, lastSeq, ...tenantRow
  } = row;
  const tenant = toTenant(tenantRow);
  // The lateral join's columns are null together: no job.
  if (jobId === null || jobKind === null || jobTier === null || jobStatus === null || jobCurrentState === null || jobInitiatedBy === null
    || jobRetryCount === null || jobMaxRetries === null || jobCreatedAt === null || jobContext === null) {
    return { tenant, job: undefined, steps: [], lastSeq: 0 };
  }
  const job = {
    id: jobId, kind: jobKind, tier: jobTier, status: jobStatus, currentState: jobCurrentState, currentStep: jobCurrentStep,
    initiatedBy: jobInitiatedBy, startedAt: jobStartedAt, completedAt: jobCompletedAt, errorMessage: jobErrorMessage,
    retryCount: jobRetryCount, maxRetries: jobMaxRetries, nextRetryAt: jobNextRetryAt, failedStep: jobFailedStep,
    createdAt: jobCreatedAt, context: jobContext,
  };
  // JSON carries the step's times as text (Kysely's types say Date, as the columns are): made Dates here.
  const steps = (stepRows as unknown as { step: StepJson }[]).map(({ step }) => ({
    ...step,
    startedAt: dateOrNull(step.startedAt),
    completedAt: dateOrNull(step.completedAt),
  }));
  return { tenant, job, steps, lastSeq: lastSeq ?? 0 };
}
