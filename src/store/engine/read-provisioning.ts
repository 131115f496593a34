import type { StepRecord } from '../../domain/progress.js';
import type { Tenant } from '../../domain/tenant.js';
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

/**
 * The tenant, its latest job and the job's step records, read in one snapshot (repeatable
 * read) so that the status never shows, say, a failed job beside a tenant still provisioning.
 * Undefined when the tenant does not exist; `job` undefined when it has none.
 */
export async function readProvisioning(db: Db, tenantId: string): Promise<ProvisioningSnapshot | undefined> {
  return db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
    const tenantRow = await trx.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
    if (!tenantRow) return undefined;
    const tenant = toTenant(tenantRow);
    const job = await trx
      .selectFrom('tenantProvisioningJobs')
      .select([
        'id', 'kind', 'tier', 'status', 'currentState', 'currentStep', 'initiatedBy', 'startedAt', 'completedAt', 'errorMessage',
        'retryCount', 'maxRetries', 'nextRetryAt', 'failedStep', 'createdAt', 'context',
      ])
      .where('tenantId', '=', tenantId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!job) return { tenant, job: undefined, steps: [], lastSeq: 0 };
    const steps = await trx
      .selectFrom('provisioningSteps')
      .select(['name', 'stage', 'position', 'status', 'attempts', 'startedAt', 'completedAt', 'lastError'])
      .where('jobId', '=', job.id)
      .orderBy('position')
      .execute();
    const state = await trx.selectFrom('tenantProvisioningState').select('eventSeq').where('tenantId', '=', tenantId).executeTakeFirst();
    return { tenant, job, steps: steps.map((s) => ({ ...s, status: s.status as StepRecord['status'] })), lastSeq: state?.eventSeq ?? 0 };
  });
}
