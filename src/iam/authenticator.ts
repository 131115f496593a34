import { isApiKeyScope } from '../domain/api-key-scopes.js';
import { ForbiddenError, MatihError, UnauthenticatedError } from '../domain/errors.js';
import { PLATFORM_ADMIN, Permission, type PrincipalRole, isTenantRole, permissionsOf } from '../domain/roles.js';
import { TenantStatus } from '../domain/tenant-status.js';
import { type ApiKeyCredential, findApiKeyCredential, findApiKeyCredentials, touchApiKey } from '../store/iam/api-keys.js';
import { oidcTokenStanding } from '../store/iam/oidc-token-standing.js';
import { tokenStanding } from '../store/iam/revoked-tokens.js';
import type { Db } from '../store/open-database.js';
import { API_KEY_PREFIX, parseApiKey, secretMatches } from './api-key-format.js';
import type { OidcVerifier } from './oidc-verifier.js';
import type { Principal } from './principal.js';
import type { TokenService } from './token-service.js';

export interface AuthenticatorDeps {
  db: Db;
  tokens: TokenService;
  isBootstrapToken: (candidate: string) => boolean;
  /** Access tokens from an OpenID Provider (MATIH_OIDC_ISSUER); none accepted without. */
  oidc?: OidcVerifier | undefined;
}

export type Authenticator = (bearer: string) => Promise<Principal>;

/** Resolves a bearer value (bootstrap token, API key, JWT of ours or of the OpenID Provider) to a principal, or refuses it. */
export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  return async (bearer) => {
    if (deps.isBootstrapToken(bearer)) {
      return { actor: 'bootstrap', role: PLATFORM_ADMIN, tenantId: null, permissions: ALL_PERMISSIONS, via: 'bootstrap' };
    }
    if (bearer.startsWith(API_KEY_PREFIX)) return fromApiKey(deps.db, bearer);
    if (deps.oidc?.accepts(bearer)) return fromOidc(deps.db, deps.oidc, bearer);
    return fromJwt(deps, bearer);
  };
}

/** The authenticator of every request and the re-check of the open streams, over the same rules. */
export function credentialChecks(deps: AuthenticatorDeps): { authenticate: Authenticator; recheckCredentials: CredentialRecheck } {
  const authenticate = createAuthenticator(deps);
  return { authenticate, recheckCredentials: createCredentialRecheck(deps, authenticate) };
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
  const refusal = apiKeyRefusal(parsed.secret, key);
  if (refusal || !key) throw refusal ?? new UnauthenticatedError('the API key is not valid');
  await touchApiKey(db, key.id);
  return principalFor(key.role as PrincipalRole, key.tenantId, key.id, 'api_key', key.scopes);
}

/** Why an API key is refused (undefined: it is good): the one rule, for a sign-in and for a re-check. */
function apiKeyRefusal(secret: string, key: ApiKeyCredential | undefined): UnauthenticatedError | undefined {
  if (!key || !secretMatches(secret, key.secretHash)) return new UnauthenticatedError('the API key is not valid');
  if (key.revokedAt) return new UnauthenticatedError('the API key has been revoked');
  if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) return new UnauthenticatedError('the API key has expired');
  if (key.tenantStatus && CLOSED_TENANT_STATUSES.has(key.tenantStatus)) return new UnauthenticatedError(`the tenant is ${key.tenantStatus.toLowerCase()}`);
  return undefined;
}

/**
 * Checks many credentials again (the open progress streams', every second): the refused ones,
 * each with why. The same rules as a sign-in, but the API keys among them are read in one
 * statement and their last use is not written again (their sign-in did): a hundred streams on a
 * hundred keys cost one query a second, not two hundred. Other credentials are checked one by one.
 */
export type CredentialRecheck = (bearers: readonly string[]) => Promise<Map<string, unknown>>;

export function createCredentialRecheck(deps: AuthenticatorDeps, authenticate: Authenticator = createAuthenticator(deps)): CredentialRecheck {
  return async (bearers) => {
    const refused = new Map<string, unknown>();
    const keys = new Map<string, { bearer: string; secret: string }>();
    const others: string[] = [];
    for (const bearer of bearers) {
      const parsed = bearer.startsWith(API_KEY_PREFIX) && !deps.isBootstrapToken(bearer) ? parseApiKey(bearer) : undefined;
      if (parsed) keys.set(parsed.id, { bearer, secret: parsed.secret });
      else others.push(bearer);
    }
    const found = new Map((await findApiKeyCredentials(deps.db, [...keys.keys()])).map((k) => [k.id, k]));
    for (const [id, { bearer, secret }] of keys) {
      const refusal = apiKeyRefusal(secret, found.get(id));
      if (refusal) refused.set(bearer, refusal);
    }
    // A refusal is ours (a MatihError); anything else (the database did not answer) refuses nobody.
    await Promise.all(
      others.map((bearer) =>
        authenticate(bearer).then(
          () => undefined,
          (error: unknown) => {
            if (error instanceof MatihError) refused.set(bearer, error);
          },
        ),
      ),
    );
    return refused;
  };
}

async function fromJwt(deps: AuthenticatorDeps, bearer: string): Promise<Principal> {
  const claims = await deps.tokens.verify(bearer);
  const standing = await tokenStanding(deps.db, claims);
  if (standing.revoked || !standing.key) throw new UnauthenticatedError(standing.revoked ?? 'the token has been revoked');
  // A token can do nothing its key could not: a suspended tenant's new tokens are refused too.
  if (standing.tenantStatus && CLOSED_TENANT_STATUSES.has(standing.tenantStatus)) {
    throw new UnauthenticatedError(`the tenant is ${standing.tenantStatus.toLowerCase()}`);
  }
  // The role, tenant and scopes are the key's, read now; the token's claims only have to agree with its role and tenant.
  // A token whose claims say otherwise was made by someone holding the signing key, or its key's
  // role was changed since (a token outliving that change would keep the old role).
  const { role, tenantId, scopes } = standing.key;
  if (claims.role !== role || claims.tenantId !== tenantId) throw new UnauthenticatedError("the token's role or tenant is not its API key's");
  return { ...principalFor(role, tenantId, claims.apiKeyId, 'jwt', scopes), jti: claims.jti, expiresAt: claims.expiresAt };
}

/**
 * A token of the OpenID Provider: verified and mapped to a role by the verifier; here the rules
 * every credential of a tenant follows (a closed tenant refuses it, a suspension ends the tokens
 * issued before it) and this service's own revocations.
 */
async function fromOidc(db: Db, oidc: OidcVerifier, bearer: string): Promise<Principal> {
  const identity = await oidc.verify(bearer);
  const revocationId = identity.tokenId === undefined ? undefined : `oidc:${identity.tokenId}`;
  const standing = await oidcTokenStanding(db, { revocationId, tenantId: identity.tenantId });
  if (standing.revoked) throw new UnauthenticatedError('the token has been revoked');
  if (identity.tenantId !== null) {
    if (!standing.tenant) throw new ForbiddenError(`the token names tenant ${identity.tenantId}, which does not exist`);
    if (CLOSED_TENANT_STATUSES.has(standing.tenant.status)) throw new UnauthenticatedError(`the tenant is ${standing.tenant.status.toLowerCase()}`);
    const validAfter = standing.tenant.tokensValidAfter;
    if (validAfter && (!identity.issuedAt || identity.issuedAt.getTime() < validAfter.getTime())) throw new UnauthenticatedError('the token has been revoked');
  }
  const { role, tenantId } = identity;
  const permissions = role === PLATFORM_ADMIN ? ALL_PERMISSIONS : isTenantRole(role) ? new Set(permissionsOf(role)) : new Set<Permission>();
  return {
    actor: `oidc:${identity.subject}`,
    role,
    tenantId,
    permissions,
    via: 'oidc',
    email: identity.email,
    jti: revocationId,
    expiresAt: revocationId === undefined ? undefined : identity.expiresAt,
  };
}

/** `scopes` null: the key is not narrowed; a stored scope this version does not know narrows it to nothing more. */
function principalFor(role: PrincipalRole, tenantId: string | null, apiKeyId: string, via: Principal['via'], scopes: readonly string[] | null): Principal {
  const permissions = role === PLATFORM_ADMIN ? ALL_PERMISSIONS : isTenantRole(role) ? new Set(permissionsOf(role)) : new Set<Permission>();
  const narrowed = scopes === null ? undefined : new Set(scopes.filter(isApiKeyScope));
  return { actor: `api-key:${apiKeyId}`, role, tenantId, permissions, via, apiKeyId, ...(narrowed ? { scopes: narrowed } : {}) };
}
