import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { migrate } from '../../src/store/migrate.js';
import { terraformLocks } from '../../src/store/migrations/0006-terraform-locks.js';
import type { Db } from '../../src/store/open-database.js';
import { terraformStateLockStore } from '../../src/store/terraform/terraform-state-lock-store.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';

/**
 * The per-tenant Terraform state lock (spec/003 ACQUIRING_TERRAFORM_LOCK): one
 * holder at a time, renewable by its holder, free again when released, when its lease runs out,
 * or when the job holding it stops working on it (finished, failed, cancelled, lease lost).
 */

type JobStatus = 'PENDING' | 'RUNNING' | 'ROLLING_BACK' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** A tenant with one job in `status`, its lease running for `leaseMs` more (negative: expired; null: none). */
async function job(db: Db, status: JobStatus, leaseMs: number | null = 60_000): Promise<string> {
  const tenantId = newId();
  const jobId = newId();
  const slug = `tl-${tenantId.slice(-12)}`;
  await sql`insert into tenants (id, name, slug, tier, status, region, cloud_provider, admin_email)
    values (${tenantId}, ${slug}, ${slug}, 'ENTERPRISE', 'PROVISIONING', 'eastus', 'AZURE', ${`${slug}@example.com`})`.execute(db);
  await sql`insert into tenant_provisioning_jobs (id, tenant_id, kind, tier, current_state, status, initiated_by, lease_owner, lease_until)
    values (${jobId}, ${tenantId}, 'PROVISION', 'ENTERPRISE', 'ACQUIRING_TERRAFORM_LOCK', ${status}, 'test',
      ${leaseMs === null ? null : 'worker-1'}, ${leaseMs === null ? null : sql`now() + ${leaseMs} * interval '1 millisecond'`})`.execute(db);
  return jobId;
}

async function setJob(db: Db, jobId: string, status: JobStatus, leaseMs: number | null): Promise<void> {
  await sql`update tenant_provisioning_jobs set status = ${status},
    lease_until = ${leaseMs === null ? null : sql`now() + ${leaseMs} * interval '1 millisecond'`} where id = ${jobId}`.execute(db);
}

const key = () => `tenants/${randomUUID()}.tfstate`;
const LEASE = 60_000;

describe('terraform state locks', () => {
  let database: TestDatabase;
  let db: Db;
  let locks: ReturnType<typeof terraformStateLockStore>;

  beforeAll(async () => {
    database = await openTestDatabase();
    db = database.db;
    // Until the integrator lists 0006 in MIGRATIONS; a no-op once it is there.
    await migrate(db, [terraformLocks]);
    locks = terraformStateLockStore(db);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('has one holder at a time', async () => {
    const stateKey = key();
    const a = await job(db, 'RUNNING');
    const b = await job(db, 'RUNNING');
    expect(await locks.acquire(stateKey, a, LEASE)).toMatchObject({ acquired: true });
    const refused = await locks.acquire(stateKey, b, LEASE);
    expect(refused).toMatchObject({ acquired: false, holderJobId: a });
    expect(await locks.holder(stateKey)).toMatchObject({ holderJobId: a });
  });

  it('is renewed, not taken anew, when its holder acquires it again', async () => {
    const stateKey = key();
    const a = await job(db, 'RUNNING');
    const first = await locks.acquire(stateKey, a, 1_000);
    const acquiredAt = (await locks.holder(stateKey))!.acquiredAt;
    const again = await locks.acquire(stateKey, a, LEASE);
    expect(again).toEqual({ acquired: true, expiresAt: expect.any(Date) as Date });
    expect(again.expiresAt.getTime()).toBeGreaterThan(first.expiresAt.getTime());
    expect((await locks.holder(stateKey))!.acquiredAt).toEqual(acquiredAt);
  });

  it('stays with a job that rolls back (rollback destroys under it)', async () => {
    const stateKey = key();
    const a = await job(db, 'RUNNING');
    await locks.acquire(stateKey, a, LEASE);
    await setJob(db, a, 'ROLLING_BACK', LEASE);
    expect(await locks.acquire(stateKey, await job(db, 'RUNNING'), LEASE)).toMatchObject({ acquired: false, holderJobId: a });
  });

  it.each([
    ['succeeded', 'SUCCEEDED', null],
    ['failed', 'FAILED', null],
    ['was cancelled', 'CANCELLED', null],
    ['lost its lease', 'RUNNING', -1_000],
    ['gave its lease up to wait for a retry', 'RUNNING', null],
    ['was handed back to PENDING (retried later)', 'PENDING', null],
  ] as const)('is taken over once the holding job %s', async (_what, status, leaseMs) => {
    const stateKey = key();
    const a = await job(db, 'RUNNING');
    const b = await job(db, 'RUNNING');
    await locks.acquire(stateKey, a, LEASE);
    await setJob(db, a, status, leaseMs);
    expect(await locks.holder(stateKey)).toBeUndefined();
    expect(await locks.acquire(stateKey, b, LEASE)).toMatchObject({ acquired: true, tookOverFrom: a });
    expect(await locks.holder(stateKey)).toMatchObject({ holderJobId: b });
    // The old holder coming back finds it taken.
    expect(await locks.acquire(stateKey, a, LEASE)).toMatchObject({ acquired: false, holderJobId: b });
  });

  it('is free once its own lease runs out, even for a holder that is no job', async () => {
    const stateKey = key();
    const stranger = randomUUID();
    await locks.acquire(stateKey, stranger, 300);
    const b = await job(db, 'RUNNING');
    expect(await locks.acquire(stateKey, b, LEASE)).toMatchObject({ acquired: false, holderJobId: stranger });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await locks.holder(stateKey)).toBeUndefined();
    expect(await locks.acquire(stateKey, b, LEASE)).toMatchObject({ acquired: true, tookOverFrom: stranger });
  });

  it('is released by its holder only', async () => {
    const stateKey = key();
    const a = await job(db, 'RUNNING');
    const b = await job(db, 'RUNNING');
    await locks.acquire(stateKey, a, LEASE);
    expect(await locks.release(stateKey, b)).toBe(false);
    expect(await locks.holder(stateKey)).toMatchObject({ holderJobId: a });
    expect(await locks.release(stateKey, a)).toBe(true);
    expect(await locks.holder(stateKey)).toBeUndefined();
    expect(await locks.release(stateKey, a)).toBe(false);
    expect(await locks.acquire(stateKey, b, LEASE)).toEqual({ acquired: true, expiresAt: expect.any(Date) as Date });
  });

  it('goes to exactly one of many jobs asking at once', async () => {
    const stateKey = key();
    const jobs = await Promise.all(Array.from({ length: 8 }, () => job(db, 'RUNNING')));
    const results = await Promise.all(jobs.map((j) => locks.acquire(stateKey, j, LEASE)));
    const winners = results.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    const holder = await locks.holder(stateKey);
    expect(results.filter((r) => !r.acquired).every((r) => !r.acquired && r.holderJobId === holder?.holderJobId)).toBe(true);
  });

  it('keeps locks of different tenants apart', async () => {
    const a = await job(db, 'RUNNING');
    const b = await job(db, 'RUNNING');
    expect(await locks.acquire(key(), a, LEASE)).toMatchObject({ acquired: true });
    expect(await locks.acquire(key(), b, LEASE)).toMatchObject({ acquired: true });
  });
});
