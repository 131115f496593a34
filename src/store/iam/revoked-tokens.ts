import type { Db } from '../open-database.js';

export async function revokeToken(db: Db, jti: string, expiresAt: Date, revokedBy: string): Promise<void> {
  await db
    .insertInto('revokedTokens')
    .values({ jti, expiresAt, revokedBy })
    .onConflict((oc) => oc.column('jti').doNothing())
    .execute();
}

/**
 * Where a JWT stands: `revoked` says why it is no longer good (its own id is revoked; the API key
 * it was exchanged for is revoked, expired or gone; its tenant is gone; or it was issued before
 * its tenant's `tokens_valid_after`: a suspension revokes every token issued until then, for
 * good, and reactivation does not bring them back). `tenantStatus` is its tenant's status, for
 * the caller's own rules; `key` the role, tenant and scopes of its API key as they are now, which
 * are the token's whatever it claims.
 */
export interface TokenStanding {
  revoked?: string;
  tenantStatus: string | null;
  key?: { role: string; tenantId: string | null; scopes: string[] | null };
}

export async function tokenStanding(db: Db, token: { jti: string; apiKeyId: string; issuedAt: Date }): Promise<TokenStanding> {
  const refused = (revoked: string): TokenStanding => ({ revoked, tenantStatus: null });
  const revoked = await db.selectFrom('revokedTokens').select('jti').where('jti', '=', token.jti).executeTakeFirst();
  if (revoked) return refused('the token has been revoked');
  const key = await db
    .selectFrom('apiKeys')
    .leftJoin('tenants', 'tenants.id', 'apiKeys.tenantId')
    .select(['apiKeys.revokedAt', 'apiKeys.expiresAt', 'apiKeys.role', 'apiKeys.tenantId', 'apiKeys.scopes', 'tenants.status as tenantStatus', 'tenants.tokensValidAfter'])
    .where('apiKeys.id', '=', token.apiKeyId)
    .executeTakeFirst();
  if (!key || key.revokedAt !== null) return refused('the token has been revoked');
  if (key.expiresAt !== null && key.expiresAt.getTime() <= Date.now()) return refused('the API key has expired');
  if (key.tenantId !== null) {
    if (key.tenantStatus === null) return refused('the tenant no longer exists');
    if (key.tokensValidAfter !== null && token.issuedAt.getTime() < key.tokensValidAfter.getTime()) return refused('the token has been revoked');
  }
  return { tenantStatus: key.tenantStatus, key: { role: key.role, tenantId: key.tenantId, scopes: key.scopes } };
}

/** Revocations of tokens that have expired anyway are dead weight. */
export async function purgeExpiredRevocations(db: Db, now: Date = new Date()): Promise<number> {
  const result = await db.deleteFrom('revokedTokens').where('expiresAt', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
