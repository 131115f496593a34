import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_PROVIDERS } from '../../src/domain/cloud.js';
import { StepName } from '../../src/domain/plans.js';
import { safeToDropPrevious } from '../../src/domain/sealed-values.js';
import { validateNewTenant } from '../../src/domain/tenant-validation.js';
import type { SecretKeyRing } from '../../src/drivers/contract.js';
import { AesGcmSecretBox } from '../../src/drivers/secrets/aes-gcm-secret-box.js';
import { KeyRingSecretBox } from '../../src/drivers/secrets/key-ring-secret-box.js';
import { SecretKeyRotation } from '../../src/engine/secret-key-rotation.js';
import { generateApiKey } from '../../src/iam/api-key-format.js';
import type { Db } from '../../src/store/open-database.js';
import { createTenant } from '../../src/store/tenants/create-tenant.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import { tenantBody } from '../support/test-app.js';

const [K0, K1, K2] = [AesGcmSecretBox.generateKey(), AesGcmSecretBox.generateKey(), AesGcmSecretBox.generateKey()] as [string, string, string];
const [old, stranger, fresh] = [new AesGcmSecretBox(K1), new AesGcmSecretBox(K0), new AesGcmSecretBox(K2)];

/** Every sealed text of the database, by where it is: the signing keys, the step rows' and the phase outputs' credentials. */
async function sealedTexts(db: Db): Promise<Map<string, string>> {
  const { rows } = await sql<{ name: string; sealed: string }>`
    select 'key/' || id as name, secret as sealed from signing_keys
    union all select 'step/' || job_id, outputs ->> 'credentials' from provisioning_steps where outputs ? 'credentials'
    union all select 'phase/' || tenant_id, phase_outputs -> 'SETUP_DATABASE' ->> 'credentials' from tenant_provisioning_state where phase_outputs -> 'SETUP_DATABASE' ? 'credentials'`.execute(db);
  return new Map(rows.map((r) => [r.name, r.sealed]));
}

async function addTenant(db: Db, box: AesGcmSecretBox, password: string): Promise<{ tenantId: string; jobId: string }> {
  const key = generateApiKey();
  const tenant = validateNewTenant(tenantBody() as never, { enabledCloudProviders: CLOUD_PROVIDERS });
  const created = await createTenant(db, { tenant, actor: 'test', apiKey: { id: key.id, secretHash: key.secretHash } });
  // As SETUP_DATABASE and advanceJob record them: the step's outputs and their copy in the phase outputs, sealed separately.
  const outputs = (sealed: string) => JSON.stringify({ role: 'r', credentials: sealed });
  await sql`update provisioning_steps set outputs = ${outputs(box.seal(password))}::jsonb where job_id = ${created.jobId} and name = ${StepName.SETUP_DATABASE}`.execute(db);
  await sql`update tenant_provisioning_state set phase_outputs = jsonb_build_object(${StepName.SETUP_DATABASE}::text, ${outputs(box.seal(password))}::jsonb)
            where tenant_id = ${created.tenant.id}`.execute(db);
  return { tenantId: created.tenant.id, jobId: created.jobId };
}

describe('SecretKeyRotation: every sealed value under the current key', () => {
  let database: TestDatabase;
  let db: Db;
  let unreadableJob: string;

  beforeAll(async () => {
    database = await openTestDatabase();
    db = database.db;
    // Under K1 (the previous key): five tenants, two JWT keys and the local CA's key.
    for (let i = 0; i < 5; i++) await addTenant(db, old, `{"password":"p${i}"}`);
    await db
      .insertInto('signingKeys')
      .values([
        { id: 'jwt-1', secret: old.seal('jwt one'), sealed: true },
        { id: 'jwt-2', secret: old.seal('jwt two'), sealed: true },
        { id: 'tls-local-ca', secret: old.seal('ca') },
      ])
      .execute();
    // Already under K2: a tenant provisioned after the change of key.
    await addTenant(db, fresh, '{"password":"new"}');
    // Under K0, a key the service was not given: its step row (its phase outputs stay readable).
    unreadableJob = (await addTenant(db, old, '{"password":"lost"}')).jobId;
    await sql`update provisioning_steps set outputs = jsonb_set(outputs, '{credentials}', to_jsonb(${stranger.seal('{"password":"lost"}')}::text))
              where job_id = ${unreadableJob} and name = ${StepName.SETUP_DATABASE}`.execute(db);
  });
  afterAll(async () => {
    await database.close();
  });

  it('counts the values by the key that opens them, changing nothing', async () => {
    const before = await sealedTexts(db);
    const rotation = new SecretKeyRotation(db, new KeyRingSecretBox(K2, [K1]), { batchSize: 2 });
    const census = await rotation.census();
    // 5 tenants × 2 + 2 JWT keys + the CA under K1, plus the unreadable tenant's phase outputs; the K2 tenant's two values.
    expect(census).toEqual({ current: 2, previous: 14, unreadable: 1, unreadableValues: [`step-output/${unreadableJob}/SETUP_DATABASE.credentials`] });
    expect(safeToDropPrevious(census)).toBe(false);
    expect(await sealedTexts(db)).toEqual(before);
  });

  it('re-seals every readable value with the current key, leaving the unreadable one as it was; a second run has nothing to do', async () => {
    const before = await sealedTexts(db);
    const rotation = new SecretKeyRotation(db, new KeyRingSecretBox(K2, [K1]), { batchSize: 2 });
    const report = await rotation.rotate();
    expect(report).toEqual({
      resealed: 14,
      alreadyCurrent: 2,
      unreadable: 1,
      unreadableValues: [`step-output/${unreadableJob}/SETUP_DATABASE.credentials`],
      remaining: 0,
      // The second walk found nothing left under K1.
      passes: 2,
    });
    const after = await sealedTexts(db);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [name, sealed] of after) {
      if (name === `step/${unreadableJob}`) {
        expect(sealed).toBe(before.get(name));
        continue;
      }
      // K2 alone opens it, to what K1 (or K2) opened before; K1 no longer does.
      expect(fresh.open(sealed), name).toBe(new KeyRingSecretBox(K2, [K1]).open(before.get(name)!));
      expect(() => old.open(sealed), name).toThrow();
    }
    expect(await rotation.rotate()).toMatchObject({ resealed: 0, alreadyCurrent: 16, unreadable: 1, remaining: 0, passes: 1 });
    // Given K0 as well, the last value opens and is re-sealed: then the previous keys may go.
    const withK0 = new SecretKeyRotation(db, new KeyRingSecretBox(K2, [K1, K0]));
    expect(await withK0.rotate()).toMatchObject({ resealed: 1, unreadable: 0, remaining: 0 });
    expect(safeToDropPrevious(await withK0.census())).toBe(true);
    expect(fresh.open((await sealedTexts(db)).get(`step/${unreadableJob}`)!)).toBe('{"password":"lost"}');
  });

  it('shares the work with a rotation running at the same time: each value re-sealed once, both finish proven', async () => {
    const { tenantId } = await addTenant(db, old, '{"password":"late"}');
    await db.updateTable('signingKeys').set({ secret: old.seal('jwt two') }).where('id', '=', 'jwt-2').execute();
    const ring = () => new KeyRingSecretBox(K2, [K1]);
    const [a, b] = await Promise.all([new SecretKeyRotation(db, ring(), { batchSize: 1 }).rotate(), new SecretKeyRotation(db, ring(), { batchSize: 1 }).rotate()]);
    expect(a.resealed + b.resealed).toBe(3);
    expect([a.remaining, b.remaining]).toEqual([0, 0]);
    const texts = await sealedTexts(db);
    for (const name of [`phase/${tenantId}`, 'key/jwt-2']) expect(() => fresh.open(texts.get(name)!)).not.toThrow();
  });

  it('says values remain when they keep turning up under an old key (a replica still sealing with it)', async () => {
    await addTenant(db, old, '{"password":"stuck"}');
    const k1 = new KeyRingSecretBox(K1, [K2]);
    // A ring that "re-seals" with the old key: every walk finds the values under it again.
    const stuck: SecretKeyRing = { previousKeys: 1, seal: (p) => k1.seal(p), open: (s) => k1.open(s), reseal: (s) => ({ current: false, sealed: k1.seal(k1.open(s)) }) };
    const report = await new SecretKeyRotation(db, stuck, { maxPasses: 3 }).rotate();
    expect(report.passes).toBe(3);
    expect(report.remaining).toBeGreaterThan(0);
    expect(safeToDropPrevious(report)).toBe(false);
  });
});
