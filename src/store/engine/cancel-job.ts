import { ERROR_CODES } from '../../domain/error-codes.js';
import { ConflictError } from '../../domain/errors.js';
import { JobStatus } from '../../domain/provisioning.js';
import type { Db } from '../open-database.js';
import { appendAudit } from './audit.js';
import { lockLatestJob } from './lock-latest-job.js';
import { transaction } from '../transaction.js';

/**
 * Asks the worker holding the tenant's running job to stop and roll back. The worker sees it
 * at its next heartbeat (aborting the step in flight) or before its next step; a job waiting
 * for a retry is picked up at once and rolled back.
 */
export async function requestCancel(db: Db, tenantId: string, actor: string): Promise<{ jobId: string }> {
  return transaction(db, async (trx) => {
    const job = await lockLatestJob(trx, tenantId);
    if (job.status !== JobStatus.PENDING && job.status !== JobStatus.RUNNING) {
      throw new ConflictError('status', ERROR_CODES.JOB_NOT_RUNNING, job.status);
    }
    if (job.cancelRequestedBy !== null) return { jobId: job.id };
    await trx
      .updateTable('tenantProvisioningJobs')
      .set({ cancelRequestedBy: actor, nextRetryAt: null, updatedAt: new Date() })
      .where('id', '=', job.id)
      .execute();
    await appendAudit(trx, tenantId, job.id, [{ kind: 'OPERATION', trigger: 'job.cancel_requested', actor }]);
    return { jobId: job.id };
  });
}
