import type { Db } from '../open-database.js';

/**
 * The JWT signing secret lives in the database, so every replica signs and verifies with the
 * same key. The first replica to start creates it; the others read the winner's.
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
