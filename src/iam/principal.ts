import type { ApiKeyScope } from '../domain/api-key-scopes.js';
import { ERROR_CODES } from '../domain/error-codes.js';
import { ForbiddenError, NotFoundError, matihError } from '../domain/errors.js';
import { PLATFORM_ADMIN, type Permission, type PrincipalRole } from '../domain/roles.js';

/** Who is calling, as established by a bearer token. */
export interface Principal {
  /** For audit trails: `bootstrap`, `api-key:<id>`, `oidc:<sub>` (the OpenID Provider's subject). */
  actor: string;
  role: PrincipalRole;
  /** The tenant a tenant-role principal belongs to; null for platform admins. */
  tenantId: string | null;
  permissions: ReadonlySet<Permission>;
  via: 'bootstrap' | 'api_key' | 'jwt' | 'oidc';
  /** For OIDC: the token's email claim, shown beside the actor (whoami); the actor stays the subject, which is never reassigned. */
  email?: string | undefined;
  apiKeyId?: string | undefined;
  /** An API key's scopes (and its tokens'), read from the key's row; undefined: not narrowed (every scope the role allows). */
  scopes?: ReadonlySet<ApiKeyScope> | undefined;
  /** For JWTs: the token id and expiry, so the token can be revoked. */
  jti?: string | undefined;
  expiresAt?: Date | undefined;
}

export function isPlatformAdmin(p: Principal): boolean {
  return p.role === PLATFORM_ADMIN;
}

export function requirePlatformAdmin(p: Principal): void {
  if (!isPlatformAdmin(p)) throw new ForbiddenError('only a platform admin may do this');
}

/** A key with scopes must have `scope` (the route's, api/route-scopes.ts); other credentials are not narrowed. */
export function requireScope(p: Principal, scope: ApiKeyScope): void {
  if (p.scopes !== undefined && !p.scopes.has(scope)) throw matihError(ERROR_CODES.INSUFFICIENT_SCOPE, scope);
}

/**
 * A tenant-scoped caller asking about another tenant is told that tenant does not exist: a 404
 * rather than a 403, so that tenant ids cannot be probed.
 */
export function requireTenantPermission(p: Principal, tenantId: string, permission: Permission): void {
  if (isPlatformAdmin(p)) return;
  if (p.tenantId !== tenantId) throw new NotFoundError('tenant', tenantId);
  if (!p.permissions.has(permission)) throw new ForbiddenError(`the ${p.role} role lacks the ${permission} permission`);
}

/**
 * A deleted tenant is a tombstone kept for the platform's history: to anyone but a platform admin
 * it does not exist (spec/002 "Deletion" 7). Its own credentials are refused already (the
 * authenticator closes a DELETED tenant); this holds whatever a credential would say.
 */
export function mayReadTombstones(p: Principal): boolean {
  return isPlatformAdmin(p);
}
