import { PLATFORM_ADMIN, Permission, type PrincipalRole, isTenantRole, permissionsOf } from './roles.js';

/**
 * API key scopes: the kinds of operation a key may be used for. A scope narrows what the key's
 * role allows and never widens it: a request needs its role's permission (iam/principal.ts) and,
 * from a key with scopes, the scope of its route (api/route-scopes.ts, the one table that names
 * a scope for every route). A key without scopes (the default, and every key made before scopes
 * existed) has every scope its role allows. Platform-admin keys take scopes too: a CI key that
 * may only create tenants.
 */
export const ApiKeyScope = {
  /** Read tenants, settings, features, users, roles, keys, provisioning status, infrastructure. */
  READ: 'read',
  /** Create tenants and API keys. */
  CREATE: 'create',
  /** Change a tenant (tier, configuration), its settings and feature flags; rotate the JWT signing keys. */
  UPDATE: 'update',
  /** Suspend and reactivate tenants. */
  SUSPEND: 'suspend',
  /** Delete tenants (the confirmation code, then the deletion) and revoke API keys. */
  DELETE: 'delete',
  /** The infrastructure API's changes (provision, update, deprovision), job retry and cancel, the simulated cluster's objects. */
  INFRASTRUCTURE: 'infrastructure',
  /** Read a tenant's audit log. */
  AUDIT: 'audit',
} as const;
export type ApiKeyScope = (typeof ApiKeyScope)[keyof typeof ApiKeyScope];

/** Every scope, in the order they are listed and stored. */
export const API_KEY_SCOPES: readonly ApiKeyScope[] = Object.values(ApiKeyScope);

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}

/**
 * The scopes a role can use at all: a platform admin every one; a tenant role reads and reads its
 * audit log, and with the permission to change settings updates, with the permission to manage
 * API keys creates and deletes (revokes) them. Nothing else of the tenant is a tenant role's.
 */
export function scopesAllowedTo(role: PrincipalRole): readonly ApiKeyScope[] {
  if (role === PLATFORM_ADMIN) return API_KEY_SCOPES;
  if (!isTenantRole(role)) return [];
  const permissions = permissionsOf(role);
  const allowed = new Set<ApiKeyScope>([ApiKeyScope.READ, ApiKeyScope.AUDIT]);
  if (permissions.includes(Permission.SETTINGS_WRITE)) allowed.add(ApiKeyScope.UPDATE);
  if (permissions.includes(Permission.API_KEYS_WRITE)) {
    allowed.add(ApiKeyScope.CREATE);
    allowed.add(ApiKeyScope.DELETE);
  }
  return API_KEY_SCOPES.filter((s) => allowed.has(s));
}

/**
 * What a key may do: its own scopes (null: every scope of its role) within its role's. Sorted in
 * API_KEY_SCOPES order, each once.
 */
export function effectiveScopes(role: PrincipalRole, scopes: readonly string[] | null | undefined): ApiKeyScope[] {
  const allowed = scopesAllowedTo(role);
  if (scopes === null || scopes === undefined) return [...allowed];
  return allowed.filter((s) => scopes.includes(s));
}

/** Why the scopes asked for a new key cannot be given, or what it gets. */
export type ScopeGrant =
  | { ok: true; scopes: ApiKeyScope[] | null }
  | { ok: false; problem: 'empty' }
  | { ok: false; problem: 'unknown'; value: string }
  | { ok: false; problem: 'beyond_role'; scope: ApiKeyScope }
  | { ok: false; problem: 'beyond_creator'; scope: ApiKeyScope };

/**
 * The scopes of a new key with `role`, asked for as `requested` (undefined: all it may have) by
 * a caller whose own scopes are `creator` (undefined: not narrowed). A key never gets a scope its
 * role does not allow (refused: the caller asked for something meaningless), nor one its creator
 * lacks (refused: a narrowed key must not mint a wider one). Asked for nothing, it gets its
 * role's scopes that the creator has: null (every scope, now and later) when the creator is not
 * narrowed, else that list.
 */
export function grantScopes(role: PrincipalRole, requested: readonly string[] | undefined, creator: ReadonlySet<ApiKeyScope> | undefined): ScopeGrant {
  const allowed = scopesAllowedTo(role);
  if (requested === undefined) {
    if (creator === undefined) return { ok: true, scopes: null };
    const inherited = allowed.filter((s) => creator.has(s));
    const missing = allowed.find((s) => !creator.has(s));
    if (inherited.length === 0 && missing !== undefined) return { ok: false, problem: 'beyond_creator', scope: missing };
    return { ok: true, scopes: inherited };
  }
  if (requested.length === 0) return { ok: false, problem: 'empty' };
  for (const value of requested) if (!isApiKeyScope(value)) return { ok: false, problem: 'unknown', value };
  const asked = API_KEY_SCOPES.filter((s) => requested.includes(s));
  const beyondRole = asked.find((s) => !allowed.includes(s));
  if (beyondRole !== undefined) return { ok: false, problem: 'beyond_role', scope: beyondRole };
  const beyondCreator = creator === undefined ? undefined : asked.find((s) => !creator.has(s));
  if (beyondCreator !== undefined) return { ok: false, problem: 'beyond_creator', scope: beyondCreator };
  return { ok: true, scopes: asked };
}
