import { UnauthenticatedError } from '../domain/errors.js';
import { PLATFORM_ADMIN, Permission, type PrincipalRole, isTenantRole, permissionsOf } from '../domain/roles.js';
import { TenantStatus } from '../domain/tenant-status.js';
import { findApiKeyCredential, touchApiKey } from '../store/iam/api-keys.js';
import { tokenStanding } from '../store/iam/revoked-tokens.js';
import type { Db } from '../store/open-database.js';
import { API_KEY_PREFIX, parseApiKey, secretMatches } from './api-key-format.js';
import type { Principal } from './principal.js';
import type { TokenService } from './token-service.js';

export interface AuthenticatorDeps {
  db: Db;
  tokens: TokenService;
  isBootstrapToken: (candidate: string) => boolean;
}

export type Authenticator = (bearer: string) => Promise<Principal>;

/** Resolves a bearer value (bootstrap token, API key or JWT) to a principal, or refuses it. */
export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  return async (bearer) => {
    if (deps.isBootstrapToken(bearer)) {
      return { actor: 'bootstrap', role: PLATFORM_ADMIN, tenantId: null, permissions: ALL_PERMISSIONS, via: 'bootstrap' };
    }
    if (bearer.startsWith(API_KEY_PREFIX)) return fromApiKey(deps.db, bearer);
    return fromJwt(deps, bearer);
  };
}

const ALL_PERMISSIONS: ReadonlySet<Permission> = new Set(Object.values(Permission));
// A suspended tenant, or one being torn down or already gone, accepts no credentials of its own
// (spec/002 "Suspension": from the moment it is suspended; its keys work again once reactivated).
const CLOSED_TENANT_STATUSES: ReadonlySet<string> = new Set([
  TenantStatus.SUSPENDED,
  TenantStatus.DELETING,
  TenantStatus.DELETED,
  // No data plane left to act on (and a suspended tenant deprovisioned must not get its keys back).
  TenantStatus.DEPROVISIONING,
  TenantStatus.DEPROVISIONED,
]);

async function fromApiKey(db: Db, bearer: string): Promise<Principal> {
  const parsed = parseApiKey(bearer);
  if (!parsed) throw new UnauthenticatedError('the API key is malformed');
  const key = await findApiKeyCredential(db, parsed.id);
  if (!key || !secretMatches(parsed.secret, key.secretHash)) throw new UnauthenticatedError('the API key is not valid');
  if (key.revokedAt) throw new UnauthenticatedError('the API key has been revoked');
  if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) throw new UnauthenticatedError('the API key has expired');
  if (key.tenantStatus && CLOSED_TENANT_STATUSES.has(key.tenantStatus)) {
    throw new UnauthenticatedError(`the tenant is ${key.tenantStatus.toLowerCase()}`);
  }
  await touchApiKey(db, key.id);
  return principalFor(key.role as PrincipalRole, key.tenantId, key.id, 'api_key');
}

async function fromJwt(deps: AuthenticatorDeps, bearer: string): Promise<Principal> {
  const claims = await deps.tokens.verify(bearer);
  const standing = await tokenStanding(deps.db, claims);
  if (standing.revoked || !standing.key) throw new UnauthenticatedError(standing.revoked ?? 'the token has been revoked');
  // A token can do nothing its key could not: a suspended tenant's new tokens are refused too.
  if (standing.tenantStatus && CLOSED_TENANT_STATUSES.has(standing.tenantStatus)) {
    throw new UnauthenticatedError(`the tenant is ${standing.tenantStatus.toLowerCase()}`);
  }
  // The role and tenant are the key's, read now; the token's claims only have to agree with them.
  // A token whose claims say otherwise was made by someone holding the signing key, or its key's
  // role was changed since (a token outliving that change would keep the old role).
  const { role, tenantId } = standing.key;
  if (claims.role !== role || claims.tenantId !== tenantId) throw new UnauthenticatedError("the token's role or tenant is not its API key's");
  return { ...principalFor(role, tenantId, claims.apiKeyId, 'jwt'), jti: claims.jti, expiresAt: claims.expiresAt };
}

function principalFor(role: PrincipalRole, tenantId: string | null, apiKeyId: string, via: Principal['via']): Principal {
  const permissions = role === PLATFORM_ADMIN ? ALL_PERMISSIONS : isTenantRole(role) ? new Set(permissionsOf(role)) : new Set<Permission>();
  return { actor: `api-key:${apiKeyId}`, role, tenantId, permissions, via, apiKeyId };
}
