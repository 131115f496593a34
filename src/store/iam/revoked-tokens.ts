import type { Db } from '../open-database.js';

export async function revokeToken(db: Db, jti: string, expiresAt: Date, revokedBy: string): Promise<void> {
  await db
    .insertInto('revokedTokens')
    .values({ jti, expiresAt, revokedBy })
    .onConflict((oc) => oc.column('jti').doNothing())
    .execute();
}

/**
 * Whether a JWT is still good: its own id is not revoked, and the API key it was exchanged for
 * (if any) is neither revoked nor gone, and its tenant (if any) still exists.
 */
export async function tokenStillValid(db: Db, jti: string, apiKeyId: string | undefined): Promise<boolean> {
  const revoked = await db.selectFrom('revokedTokens').select('jti').where('jti', '=', jti).executeTakeFirst();
  if (revoked) return false;
  if (apiKeyId === undefined) return true;
  const key = await db.selectFrom('apiKeys').select('revokedAt').where('id', '=', apiKeyId).executeTakeFirst();
  return key !== undefined && key.revokedAt === null;
}

/** Revocations of tokens that have expired anyway are dead weight. */
export async function purgeExpiredRevocations(db: Db, now: Date = new Date()): Promise<number> {
  const result = await db.deleteFrom('revokedTokens').where('expiresAt', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
