import { describe, expect, it } from 'vitest';
import { JobStatus } from '../../domain/provisioning.js';
import {
  LEASE_MS,
  advance,
  claim,
  databaseNow,
  databasePerTest,
  historyOf,
  jobRow,
  newTenant,
  provisioningState,
  sleep,
  stepRow,
  tenantSnapshot,
} from '../../../test/support/store-operations.js';
import type { Db } from '../open-database.js';
import type { ClaimedJob } from './job-types.js';
import { claimJob } from './claim-job.js';
import { LeaseLostError } from './lease-lost.js';
import { scheduleRetry } from './schedule-retry.js';

function retry(db: Db, job: ClaimedJob, owner: string, backoffSeconds: number, error = `${String(job.currentStep)}: timed out`) {
  return scheduleRetry(db, { jobId: job.id, tenantId: job.tenantId, owner, leaseMs: LEASE_MS, step: job.currentStep!, error, backoffSeconds });
}

describe('scheduleRetry', () => {
  const db = databasePerTest();

  it('puts the failure on the job: retryCount, errorMessage, and nextRetryAt the backoff from now on the database clock', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a');
    await advance(db(), job, 'worker-a');

    const before = await databaseNow(db());
    const due = await retry(db(), job, 'worker-a', 30, 'CREATE_NAMESPACE: connection reset');
    const after = await databaseNow(db());

    const row = await jobRow(db(), job.id);
    expect(row).toMatchObject({ status: JobStatus.RUNNING, currentStep: 'CREATE_NAMESPACE', retryCount: 1, errorMessage: 'CREATE_NAMESPACE: connection reset' });
    expect(row.nextRetryAt?.getTime()).toBe(due.getTime());
    expect(due.getTime()).toBeGreaterThanOrEqual(before.getTime() + 30_000);
    expect(due.getTime()).toBeLessThanOrEqual(after.getTime() + 30_000);
    // The lease is given up: any worker may take the job when it is due.
    expect(row).toMatchObject({ leaseOwner: null, leaseUntil: null });

    expect(await stepRow(db(), job.id, 'CREATE_NAMESPACE')).toMatchObject({ status: 'FAILED', lastError: 'CREATE_NAMESPACE: connection reset' });
    expect(await stepRow(db(), job.id, 'SELECT_CLUSTER')).toMatchObject({ status: 'COMPLETED' });
    expect((await provisioningState(db(), created.tenant.id)).retryCount).toBe(1);
    expect((await historyOf(db(), created.tenant.id, job.id)).at(-1)).toMatchObject({
      kind: 'STEP',
      trigger: 'step.failed',
      step: 'CREATE_NAMESPACE',
      details: { retryable: true, retryCount: 1, backoffSeconds: 30, error: 'CREATE_NAMESPACE: connection reset' },
    });
    // Not due yet: nobody can take it.
    expect(await claimJob(db(), 'worker-b', LEASE_MS)).toBeUndefined();
  });

  it('counts every retry of the job, whoever ran the attempt', async () => {
    const created = await newTenant(db());
    const first = await claim(db(), 'worker-a');
    await retry(db(), first, 'worker-a', 0);
    await sleep(20);
    const second = await claim(db(), 'worker-b');
    expect(second).toMatchObject({ id: first.id, currentStep: first.currentStep, retryCount: 1 });
    await retry(db(), second, 'worker-b', 0);

    expect((await jobRow(db(), first.id)).retryCount).toBe(2);
    expect((await provisioningState(db(), created.tenant.id)).retryCount).toBe(2);
    expect((await stepRow(db(), first.id, 'SELECT_CLUSTER')).attempts).toBe(2);
  });

  it('changes nothing for a worker that lost its lease or is at another step', async () => {
    const created = await newTenant(db());
    const stale = await claim(db(), 'worker-a', 200);
    await sleep(350);
    const holder = await claim(db(), 'worker-b');

    const before = await tenantSnapshot(db(), created.tenant.id);
    await expect(retry(db(), stale, 'worker-a', 30)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(
      scheduleRetry(db(), { jobId: holder.id, tenantId: holder.tenantId, owner: 'worker-b', leaseMs: LEASE_MS, step: 'APPLY_QUOTAS', error: 'x', backoffSeconds: 30 }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });
});
