import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, openTestDatabase } from '../../../test/support/databases.js';
import { advance, advanceTo, claim, newTenant, stepRow } from '../../../test/support/store-operations.js';
import { StepName } from '../../domain/plans.js';
import { SEALED_VALUE_PLACES, type SealedValuePlace } from '../../domain/sealed-values.js';
import type { Db } from '../open-database.js';
import { listSealedValues } from './list-sealed-values.js';
import { replaceSealedValues } from './replace-sealed-values.js';

/**
 * The store's side of the MATIH_SECRET_KEY rotation: walking the sealed values, and replacing them
 * by compare-and-set. Sealed texts are opaque here (the store never opens them).
 */

const [SIGNING_KEYS, STEP_OUTPUTS, PHASE_OUTPUTS] = SEALED_VALUE_PLACES as [SealedValuePlace, SealedValuePlace, SealedValuePlace];
const OWNER = 'sealed-values-test';

interface Provisioned {
  tenantId: string;
  jobId: string;
  sealed: string;
}

/** A tenant whose SETUP_DATABASE completed with `sealed` among its outputs, written by advanceJob as a worker writes it. */
async function provisionedTo(db: Db, sealed: string): Promise<Provisioned> {
  const created = await newTenant(db);
  const job = await claim(db, OWNER);
  await advanceTo(db, job, OWNER, StepName.SETUP_DATABASE);
  await advance(db, job, OWNER, { role: 'r1', schemas: ['a', 'b'], credentials: sealed });
  return { tenantId: created.tenant.id, jobId: job.id, sealed };
}

async function phaseOutputs(db: Db, tenantId: string): Promise<unknown> {
  const row = await db.selectFrom('tenantProvisioningState').select('phaseOutputs').where('tenantId', '=', tenantId).executeTakeFirstOrThrow();
  return row.phaseOutputs[StepName.SETUP_DATABASE];
}

describe('sealed values in the store: the walk and the compare-and-set of the key rotation', () => {
  let database: TestDatabase;
  let db: Db;
  const tenants: Provisioned[] = [];

  beforeAll(async () => {
    database = await openTestDatabase({ poolSize: 4 });
    db = database.db;
    for (let i = 0; i < 3; i++) tenants.push(await provisionedTo(db, `v1:sealed-${i}`));
    // A tenant whose job has not reached SETUP_DATABASE: nothing sealed yet.
    await newTenant(db);
    await db
      .insertInto('signingKeys')
      .values([
        { id: 'jwt-a', secret: 'v1:jwt-a', sealed: true },
        // From before keys were sealed: not a sealed value (the signing key ring seals it at start).
        { id: 'jwt-b', secret: 'clear', sealed: false },
        // Another owner's key (the local CA's): sealed from the start, whatever the flag says.
        { id: 'tls-local-ca', secret: 'v1:ca' },
      ])
      .execute();
  });
  afterAll(async () => {
    await database.close();
  });

  const walk = async (place: SealedValuePlace, limit: number) => {
    const found: { key: string; sealed: string }[] = [];
    for (let after: string | undefined; ; ) {
      const page = await listSealedValues(db, place, after, limit);
      found.push(...page);
      if (page.length < limit) return found;
      after = page[page.length - 1]!.key;
    }
  };

  it('walks each place in key order, page by page, finding exactly the sealed values', async () => {
    expect(await walk(SIGNING_KEYS, 1)).toEqual([
      { key: 'jwt-a', sealed: 'v1:jwt-a' },
      { key: 'tls-local-ca', sealed: 'v1:ca' },
    ]);
    const byJob = [...tenants].sort((a, b) => (a.jobId < b.jobId ? -1 : 1));
    expect(await walk(STEP_OUTPUTS, 2)).toEqual(byJob.map((t) => ({ key: t.jobId, sealed: t.sealed })));
    const byTenant = [...tenants].sort((a, b) => (a.tenantId < b.tenantId ? -1 : 1));
    expect(await walk(PHASE_OUTPUTS, 2)).toEqual(byTenant.map((t) => ({ key: t.tenantId, sealed: t.sealed })));
  });

  it('replaces a value only while it still holds the text read, and only that field of the outputs', async () => {
    const [first, second] = tenants as [Provisioned, Provisioned];
    const replaced = await replaceSealedValues(db, STEP_OUTPUTS, [
      { key: first.jobId, expected: first.sealed, sealed: 'v1:new-0' },
      // Read before someone rewrote it: left as its writer left it.
      { key: second.jobId, expected: 'v1:stale', sealed: 'v1:never' },
    ]);
    expect(replaced).toEqual([first.jobId]);
    expect((await stepRow(db, first.jobId, StepName.SETUP_DATABASE))?.outputs).toEqual({ role: 'r1', schemas: ['a', 'b'], credentials: 'v1:new-0' });
    expect((await stepRow(db, second.jobId, StepName.SETUP_DATABASE))?.outputs).toEqual({ role: 'r1', schemas: ['a', 'b'], credentials: second.sealed });
    // Again with the same expectation: the value moved on, nothing is written twice.
    expect(await replaceSealedValues(db, STEP_OUTPUTS, [{ key: first.jobId, expected: first.sealed, sealed: 'v1:x' }])).toEqual([]);
    expect((await stepRow(db, first.jobId, StepName.SETUP_DATABASE))?.outputs.credentials).toBe('v1:new-0');

    expect(await replaceSealedValues(db, PHASE_OUTPUTS, [{ key: first.tenantId, expected: first.sealed, sealed: 'v1:phase-0' }])).toEqual([first.tenantId]);
    expect(await phaseOutputs(db, first.tenantId)).toEqual({ role: 'r1', schemas: ['a', 'b'], credentials: 'v1:phase-0' });
    expect(await phaseOutputs(db, second.tenantId)).toEqual({ role: 'r1', schemas: ['a', 'b'], credentials: second.sealed });

    // A JWT key still in clear is no sealed value: never replaced, whatever it is asked.
    expect(await replaceSealedValues(db, SIGNING_KEYS, [{ key: 'tls-local-ca', expected: 'v1:ca', sealed: 'v1:ca-2' }, { key: 'jwt-b', expected: 'clear', sealed: 'v1:b' }])).toEqual([
      'tls-local-ca',
    ]);
    expect(await db.selectFrom('signingKeys').select(['secret', 'sealed']).where('id', '=', 'jwt-b').executeTakeFirstOrThrow()).toEqual({ secret: 'clear', sealed: false });
    expect(await walk(SIGNING_KEYS, 10)).toEqual([
      { key: 'jwt-a', sealed: 'v1:jwt-a' },
      { key: 'tls-local-ca', sealed: 'v1:ca-2' },
    ]);
  });

  it('skips a row another transaction holds instead of waiting for it, and takes it once it is free', async () => {
    const third = tenants[2]!;
    const change = { key: third.jobId, expected: third.sealed, sealed: 'v1:new-2' };
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    // A worker mid-commit on the step row.
    const worker = db.transaction().execute(async (trx) => {
      await sql`select 1 from provisioning_steps where job_id = ${third.jobId} and name = ${StepName.SETUP_DATABASE} for update`.execute(trx);
      locked();
      await released;
    });
    await holding;
    try {
      expect(await replaceSealedValues(db, STEP_OUTPUTS, [change])).toEqual([]);
    } finally {
      release();
      await worker;
    }
    expect(await replaceSealedValues(db, STEP_OUTPUTS, [change])).toEqual([third.jobId]);
    expect((await stepRow(db, third.jobId, StepName.SETUP_DATABASE))?.outputs.credentials).toBe('v1:new-2');
  });
});
