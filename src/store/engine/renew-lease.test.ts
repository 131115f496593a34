import { describe, expect, it } from 'vitest';
import { JobStatus } from '../../domain/provisioning.js';
import {
  LEASE_MS,
  claim,
  databaseNow,
  databasePerTest,
  finish,
  historyOf,
  jobRow,
  newTenant,
  sleep,
} from '../../../test/support/store-operations.js';
import { claimJob } from './claim-job.js';
import { releaseAllLeases, releaseLease, releaseLeasesOf, renewLease } from './renew-lease.js';

describe('renewLease', () => {
  const db = databasePerTest();

  it('extends the holder\'s lease from now on the database clock', async () => {
    await newTenant(db());
    const job = await claim(db(), 'worker-a', 1_000);
    const before = await databaseNow(db());
    expect(await renewLease(db(), job.id, 'worker-a', LEASE_MS)).toEqual({ held: true, cancelRequested: false });
    const after = await databaseNow(db());
    const until = (await jobRow(db(), job.id)).leaseUntil!.getTime();
    expect(until).toBeGreaterThanOrEqual(before.getTime() + LEASE_MS - 1);
    expect(until).toBeLessThanOrEqual(after.getTime() + LEASE_MS);
  });

  it('keeps the job from other workers for as long as the holder renews it', async () => {
    await newTenant(db());
    const job = await claim(db(), 'worker-a', 1_000);
    // Renewed well within the lease, past the end of the first one.
    for (let i = 0; i < 3; i++) {
      await sleep(400);
      expect((await renewLease(db(), job.id, 'worker-a', 1_000)).held).toBe(true);
      expect(await claimJob(db(), 'worker-b', LEASE_MS)).toBeUndefined();
    }
    // The holder stops renewing (it died): the job goes to another worker.
    await sleep(1_200);
    expect((await claim(db(), 'worker-b')).id).toBe(job.id);
    expect(await renewLease(db(), job.id, 'worker-a', LEASE_MS)).toEqual({ held: false, cancelRequested: false });
  });

  it('does not renew a lease held by someone else, nor a finished job\'s', async () => {
    await newTenant(db());
    const job = await claim(db(), 'worker-a');
    const leased = (await jobRow(db(), job.id)).leaseUntil;
    expect(await renewLease(db(), job.id, 'worker-b', LEASE_MS * 10)).toEqual({ held: false, cancelRequested: false });
    expect((await jobRow(db(), job.id)).leaseUntil).toEqual(leased);

    await finish(db(), job, 'worker-a');
    expect((await renewLease(db(), job.id, 'worker-a', LEASE_MS)).held).toBe(false);
    expect((await jobRow(db(), job.id)).leaseUntil).toBeNull();
  });
});

describe('releaseLease, releaseLeasesOf, releaseAllLeases', () => {
  const db = databasePerTest();

  it('releaseLease hands the holder\'s job back at once: another worker resumes it at the same step', async () => {
    const created = await newTenant(db());
    const job = await claim(db(), 'worker-a');
    expect(await releaseLease(db(), job.id, 'worker-b')).toBe(false);
    expect((await jobRow(db(), job.id)).leaseOwner).toBe('worker-a');

    expect(await releaseLease(db(), job.id, 'worker-a')).toBe(true);
    const resumed = await claim(db(), 'worker-b');
    expect(resumed).toMatchObject({ id: job.id, status: JobStatus.RUNNING, currentStep: job.currentStep });
    expect((await historyOf(db(), created.tenant.id, job.id)).at(-2)).toMatchObject({ trigger: 'job.resumed', actor: 'worker-b' });
  });

  it('releaseLeasesOf hands back every job of one worker and no other\'s', async () => {
    for (let i = 0; i < 3; i++) await newTenant(db());
    const a1 = await claim(db(), 'worker-a');
    const b = await claim(db(), 'worker-b');
    const a2 = await claim(db(), 'worker-a');

    expect(await releaseLeasesOf(db(), 'worker-a')).toBe(2);
    for (const id of [a1.id, a2.id]) expect(await jobRow(db(), id)).toMatchObject({ leaseOwner: null, leaseUntil: null, status: JobStatus.RUNNING });
    expect((await jobRow(db(), b.id)).leaseOwner).toBe('worker-b');
    const reclaimed = [await claim(db(), 'worker-c'), await claim(db(), 'worker-c')].map((j) => j.id).sort();
    expect(reclaimed).toEqual([a1.id, a2.id].sort());
    expect(await claimJob(db(), 'worker-c', LEASE_MS)).toBeUndefined();
  });

  it('releaseAllLeases hands back every leased job (a restarted single server)', async () => {
    for (let i = 0; i < 2; i++) await newTenant(db());
    await claim(db(), 'worker-a');
    await claim(db(), 'worker-b');
    expect(await releaseAllLeases(db())).toBe(2);
    expect(await db().selectFrom('tenantProvisioningJobs').select('id').where('leaseOwner', 'is not', null).execute()).toEqual([]);
    expect((await claim(db(), 'worker-c')).status).toBe(JobStatus.RUNNING);
  });
});
