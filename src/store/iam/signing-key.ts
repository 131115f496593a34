import { sql } from 'kysely';
import type { Db } from '../open-database.js';

/**
 * Keys every replica must share live in the database: the local CA's (sealed by the CA itself,
 * under its own id) and the JWT signing keys, ids `jwt-...`, sealed by iam/signing-key-ring.ts
 * before they reach here.
 */
export async function getOrCreateSigningKey(db: Db, id: string, generate: () => string): Promise<string> {
  await db
    .insertInto('signingKeys')
    .values({ id, secret: generate() })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const row = await db.selectFrom('signingKeys').select('secret').where('id', '=', id).executeTakeFirstOrThrow();
  return row.secret;
}

/** The JWT keys' ids, apart from the other keys of the table (a LIKE pattern). */
export const JWT_KEYS = 'jwt-%';

export interface SigningKeyRow {
  id: string;
  secret: string;
  sealed: boolean;
  createdAt: Date;
  retiredAt: Date | null;
}

/** Every JWT key that may still verify a token, newest first. */
export async function listJwtSigningKeys(db: Db): Promise<SigningKeyRow[]> {
  return db
    .selectFrom('signingKeys')
    .select(['id', 'secret', 'sealed', 'createdAt', 'retiredAt'])
    .where('id', 'like', JWT_KEYS)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Replaces a clear secret (a row from before keys were sealed) by its sealed form; a no-op once sealed. */
export async function sealJwtSigningKey(db: Db, id: string, sealedSecret: string): Promise<void> {
  await db.updateTable('signingKeys').set({ secret: sealedSecret, sealed: true }).where('id', '=', id).where('id', 'like', JWT_KEYS).where('sealed', '=', false).execute();
}

// One advisory lock for creating keys, so two replicas that find the key due at the same moment
// create one new key between them, not two.
const SIGNING_KEY_LOCK = 0x6d61_7469_6800_0001n;

/**
 * Makes `fresh` the signing key unless a key created after `dueBefore` already signs (another
 * replica rotated first, or this is not the first start): the other keys are retired (they keep
 * verifying until `forgetRetiredBefore`), and keys retired before `forgetRetiredBefore` are deleted.
 * Returns whether `fresh` was stored.
 */
export async function rotateJwtSigningKey(
  db: Db,
  fresh: { id: string; sealedSecret: string },
  when: { dueBefore: Date; forgetRetiredBefore: Date; now: Date },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${SIGNING_KEY_LOCK})`.execute(trx);
    const jwtKeys = trx.selectFrom('signingKeys').where('id', 'like', JWT_KEYS);
    const current = await jwtKeys.select('id').where('retiredAt', 'is', null).where('createdAt', '>=', when.dueBefore).executeTakeFirst();
    if (current) return false;
    await trx.updateTable('signingKeys').set({ retiredAt: when.now }).where('id', 'like', JWT_KEYS).where('retiredAt', 'is', null).execute();
    await trx.insertInto('signingKeys').values({ id: fresh.id, secret: fresh.sealedSecret, sealed: true, createdAt: when.now }).execute();
    await trx.deleteFrom('signingKeys').where('id', 'like', JWT_KEYS).where('retiredAt', '<', when.forgetRetiredBefore).execute();
    return true;
  });
}
