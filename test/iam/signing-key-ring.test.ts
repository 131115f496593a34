import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AesGcmSecretBox } from '../../src/drivers/secrets/aes-gcm-secret-box.js';
import { LEGACY_KID, SigningKeyRing } from '../../src/iam/signing-key-ring.js';
import { TokenService } from '../../src/iam/token-service.js';
import { getOrCreateSigningKey } from '../../src/store/iam/signing-key.js';
import type { Db } from '../../src/store/open-database.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';

/**
 * The JWT signing keys (issue 16 item 4): sealed at rest with the secret box, named by `kid`,
 * rotated by age with the keys they replace verifying until their tokens have expired, one new key
 * between replicas, and a forced rotation that ends every token issued so far.
 */
describe('JWT signing keys', () => {
  let database: TestDatabase;
  let db: Db;
  const box = new AesGcmSecretBox(AesGcmSecretBox.generateKey());
  const DAY = 86_400_000;
  const TTL_MS = 900_000;
  let clock: Date;
  const ring = (sealer = box) => new SigningKeyRing(db, sealer, { rotateAfterMs: 30 * DAY, tokenTtlMs: TTL_MS, now: () => clock });
  const rows = () => db.selectFrom('signingKeys').selectAll().where('id', 'like', 'jwt-%').orderBy('createdAt').execute();
  const issue = (keys: SigningKeyRing) => new TokenService(keys, TTL_MS / 1000).issue({ apiKeyId: 'k1', role: 'Admin', tenantId: 't1' });
  const verify = (keys: SigningKeyRing, token: string) => new TokenService(keys, TTL_MS / 1000).verify(token);

  beforeAll(async () => {
    database = await openTestDatabase();
    db = database.db;
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    await db.deleteFrom('signingKeys').execute();
    clock = new Date();
  });

  it('makes one key at first start, stored sealed, and names it in every token', async () => {
    const keys = ring();
    await keys.load();
    const stored = await rows();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ sealed: true, retiredAt: null });
    const signer = await keys.signing();
    expect(signer.kid).toBe(stored[0]!.id);
    // What the row holds is not the key: it opens to it with the secret box only.
    expect(stored[0]!.secret).not.toBe(new TextDecoder().decode(signer.key));
    expect(box.open(stored[0]!.secret)).toBe(new TextDecoder().decode(signer.key));
    const { token } = await issue(keys);
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'HS256', kid: signer.kid });
    // A second replica reads the same key rather than making its own.
    const replica = ring();
    await replica.load();
    expect(await rows()).toHaveLength(1);
    expect((await verify(replica, token)).apiKeyId).toBe('k1');
  });

  it('seals a key stored in clear by an earlier version, and still verifies the tokens it signed without a kid', async () => {
    const clear = 'a-clear-secret-from-before-keys-were-sealed-0123456789';
    await db.insertInto('signingKeys').values({ id: LEGACY_KID, secret: clear }).execute();
    const old = await new SignJWT({ role: 'Admin', tid: 't1', akid: 'k1', ims: clock.getTime() })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('matih-control-plane')
      .setAudience('matih-api')
      .setJti('j1')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(clear));
    const keys = ring();
    await keys.load();
    const [legacy] = await rows();
    expect(legacy).toMatchObject({ id: LEGACY_KID, sealed: true });
    expect(legacy!.secret).not.toContain(clear);
    expect((await verify(keys, old)).apiKeyId).toBe('k1');
  });

  it('rotates by age: the new key signs, the old one verifies until its last token has expired, then it is gone', async () => {
    const keys = ring();
    await keys.load();
    const first = (await keys.signing()).kid;
    const { token: before } = await issue(keys);

    clock = new Date(clock.getTime() + 31 * DAY);
    const second = (await keys.signing()).kid;
    expect(second).not.toBe(first);
    expect((await rows()).map((r) => [r.id, r.retiredAt === null])).toEqual([[first, false], [second, true]]);
    // Tokens of the old key still verify (clock: the token's own expiry is checked by jose on real time).
    expect((await verify(keys, before)).apiKeyId).toBe('k1');

    // Past the longest token's life after its retirement the old key no longer verifies, and the
    // next rotation forgets it.
    clock = new Date(clock.getTime() + TTL_MS + 1000);
    await expect(verify(keys, before)).rejects.toThrow(/key this service does not hold/);
    clock = new Date(clock.getTime() + 31 * DAY);
    const third = (await keys.signing()).kid;
    expect((await rows()).map((r) => r.id)).toEqual([second, third]);
  });

  it('two replicas starting at once on an empty table make one key between them', async () => {
    const [a, b] = [ring(), ring()];
    await Promise.all([a.load(), b.load()]);
    expect(await rows()).toHaveLength(1);
    expect((await a.signing()).kid).toBe((await b.signing()).kid);
  });

  it('two replicas finding the key due at once make one new key between them', async () => {
    const a = ring();
    const b = ring();
    await a.load();
    await b.load();
    clock = new Date(clock.getTime() + 31 * DAY);
    const [ka, kb] = await Promise.all([a.signing(), b.signing()]);
    expect(ka.kid).toBe(kb.kid);
    expect((await rows()).filter((r) => r.retiredAt === null)).toHaveLength(1);
  });

  it('a forced rotation that forgets the other keys ends every token issued so far', async () => {
    const keys = ring();
    await keys.load();
    const { token } = await issue(keys);
    await keys.rotate({ forgetOthers: true });
    await expect(verify(keys, token)).rejects.toThrow(/key this service does not hold/);
    const { token: fresh } = await issue(keys);
    expect((await verify(keys, fresh)).apiKeyId).toBe('k1');
    expect(await rows()).toHaveLength(1);
  });

  it("leaves the table's other keys alone, and refuses to start with another secret key", async () => {
    const ca = await getOrCreateSigningKey(db, 'tls-local-ca', () => 'the-ca-sealed-by-itself');
    const keys = ring();
    await keys.load();
    await keys.rotate({ forgetOthers: true });
    const row = await db.selectFrom('signingKeys').selectAll().where('id', '=', 'tls-local-ca').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ secret: ca, sealed: false, retiredAt: null });
    await expect(ring(new AesGcmSecretBox(AesGcmSecretBox.generateKey())).load()).rejects.toThrow(/MATIH_SECRET_KEY/);
  });
});
