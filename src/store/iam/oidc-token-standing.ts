import type { Db } from '../open-database.js';

/**
 * Where a token from the OpenID Provider stands here: whether it was revoked at this service
 * (POST /api/v1/auth/revoke records `oidc:<jti>`), and the status of the tenant its claims name
 * with the tenant's `tokens_valid_after` (a suspension ends every token issued before it, the
 * provider's too). `tenant` is undefined when no such tenant exists.
 */
export interface OidcTokenStanding {
  revoked: boolean;
  tenant?: { status: string; tokensValidAfter: Date | null };
}

export async function oidcTokenStanding(db: Db, token: { revocationId: string | undefined; tenantId: string | null }): Promise<OidcTokenStanding> {
  const [revoked, tenant] = await Promise.all([
    token.revocationId === undefined
      ? undefined
      : db.selectFrom('revokedTokens').select('jti').where('jti', '=', token.revocationId).executeTakeFirst(),
    token.tenantId === null
      ? undefined
      : db.selectFrom('tenants').select(['status', 'tokensValidAfter']).where('id', '=', token.tenantId).executeTakeFirst(),
  ]);
  return { revoked: revoked !== undefined, ...(tenant ? { tenant } : {}) };
}
