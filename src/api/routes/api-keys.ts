import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { API_KEY_SCOPES, effectiveScopes, grantScopes, scopesAllowedTo } from '../../domain/api-key-scopes.js';
import { ERROR_CODES } from '../../domain/error-codes.js';
import { NotFoundError, ValidationError, matihError } from '../../domain/errors.js';
import { PLATFORM_ADMIN, Permission, type PrincipalRole, TENANT_ROLES, isTenantRole } from '../../domain/roles.js';
import { generateApiKey } from '../../iam/api-key-format.js';
import { type Principal, requirePlatformAdmin, requireTenantPermission } from '../../iam/principal.js';
import { type ApiKeyRecord, insertApiKey, listApiKeys, revokeApiKey } from '../../store/iam/api-keys.js';
import type { Db } from '../../store/open-database.js';
import type { ApiDeps } from '../deps.js';
import { TenantIdParams, withErrors } from '../schemas/common.js';
import { ApiKeyIdParams, ApiKeySchema, CreateApiKeyBody, CreatePlatformApiKeyBody, PlatformApiKeyIdParams } from '../schemas/auth.js';
import { requireTenant } from './tenant-directory.js';

const CreatedApiKey = Type.Intersect([ApiKeySchema, Type.Object({ key: Type.String() })]);

/** A key as answers show it: no secret, and its scopes as what it may do (every scope of its role when it was given none). */
function shown(record: ApiKeyRecord) {
  return { ...record, scopes: effectiveScopes(record.role as PrincipalRole, record.scopes) };
}

interface NewKey {
  tenantId: string | null;
  name: string;
  role: PrincipalRole;
  scopes: readonly string[] | undefined;
  expiresInDays: number | undefined;
}

/**
 * Makes a key with the scopes asked for, within its role's and the caller's own: a key with
 * scopes cannot make a key with more (403 naming the scope it lacks), and a scope the role
 * cannot use is a mistake (400 naming `scopes`).
 */
async function createKey(db: Db, creator: Principal, key: NewKey) {
  const grant = grantScopes(key.role, key.scopes, creator.scopes);
  if (!grant.ok) {
    switch (grant.problem) {
      case 'empty':
        throw new ValidationError([{ field: 'scopes', message: 'give at least one scope, or leave scopes out for every scope the role allows' }]);
      case 'unknown':
        throw new ValidationError([{ field: 'scopes', message: `unknown scope "${grant.value}": must be one of ${API_KEY_SCOPES.join(', ')}` }]);
      case 'beyond_role':
        throw new ValidationError([{ field: 'scopes', message: `the ${key.role} role does not allow the ${grant.scope} scope; it allows ${scopesAllowedTo(key.role).join(', ')}` }]);
      case 'beyond_creator':
        throw matihError(ERROR_CODES.INSUFFICIENT_SCOPE, grant.scope);
    }
  }
  const generated = generateApiKey();
  const record = await insertApiKey(db, {
    id: generated.id,
    tenantId: key.tenantId,
    userId: null,
    name: key.name,
    role: key.role,
    secretHash: generated.secretHash,
    createdBy: creator.actor,
    expiresAt: key.expiresInDays ? new Date(Date.now() + key.expiresInDays * 86_400_000) : null,
    scopes: grant.scopes,
  });
  return { ...shown(record), key: generated.token };
}

/**
 * API keys: a tenant's (its roles) and the platform's (platform_admin, no tenant), listed without
 * secrets, created with scopes and an expiry (the secret shown once), revoked.
 */
export const apiKeyRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { db } = deps.database;

  app.get(
    '/api/v1/tenants/:id/api-keys',
    {
      schema: {
        tags: ['auth'],
        summary: "List the tenant's API keys (never their secrets)",
        security: [{ bearer: [] }],
        params: TenantIdParams,
        response: withErrors({ 200: Type.Object({ items: Type.Array(ApiKeySchema) }) }),
      },
    },
    async (request) => {
      requireTenantPermission(request.principal, request.params.id, Permission.API_KEYS_READ);
      await requireTenant(db, request.params.id);
      return { items: (await listApiKeys(db, request.params.id)).map(shown) };
    },
  );

  app.post(
    '/api/v1/tenants/:id/api-keys',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an API key for a tenant role, with scopes and an expiry; the key is in this response only',
        security: [{ bearer: [] }],
        params: TenantIdParams,
        body: CreateApiKeyBody,
        response: withErrors({ 201: CreatedApiKey }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      requireTenantPermission(request.principal, id, Permission.API_KEYS_WRITE);
      const { name, role, scopes, expiresInDays } = request.body;
      if (!isTenantRole(role)) throw new ValidationError([{ field: 'role', message: `must be one of ${TENANT_ROLES.join(', ')}` }]);
      await requireTenant(db, id);
      const created = await createKey(db, request.principal, { tenantId: id, name, role, scopes, expiresInDays });
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.delete(
    '/api/v1/tenants/:id/api-keys/:keyId',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke an API key; tokens exchanged for it stop working too',
        security: [{ bearer: [] }],
        params: ApiKeyIdParams,
        response: withErrors({ 200: ApiKeySchema }),
      },
    },
    async (request) => {
      const { id, keyId } = request.params;
      requireTenantPermission(request.principal, id, Permission.API_KEYS_WRITE);
      const revoked = await revokeApiKey(db, id, keyId);
      if (!revoked) throw new NotFoundError('API key', keyId);
      return shown(revoked);
    },
  );

  app.get(
    '/api/v1/api-keys',
    {
      schema: {
        tags: ['auth'],
        summary: 'List the platform-admin API keys (never their secrets; platform admin)',
        security: [{ bearer: [] }],
        response: withErrors({ 200: Type.Object({ items: Type.Array(ApiKeySchema) }) }),
      },
    },
    async (request) => {
      requirePlatformAdmin(request.principal);
      return { items: (await listApiKeys(db, null)).map(shown) };
    },
  );

  app.post(
    '/api/v1/api-keys',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a platform-admin API key, with scopes and an expiry (platform admin); the key is in this response only',
        description: 'For automation: a CI key that may only create tenants is `{"name": "ci", "scopes": ["create"]}`.',
        security: [{ bearer: [] }],
        body: CreatePlatformApiKeyBody,
        response: withErrors({ 201: CreatedApiKey }),
      },
    },
    async (request, reply) => {
      requirePlatformAdmin(request.principal);
      const { name, scopes, expiresInDays } = request.body;
      const created = await createKey(db, request.principal, { tenantId: null, name, role: PLATFORM_ADMIN, scopes, expiresInDays });
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.delete(
    '/api/v1/api-keys/:keyId',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke a platform-admin API key (platform admin); tokens exchanged for it stop working too',
        security: [{ bearer: [] }],
        params: PlatformApiKeyIdParams,
        response: withErrors({ 200: ApiKeySchema }),
      },
    },
    async (request) => {
      requirePlatformAdmin(request.principal);
      const revoked = await revokeApiKey(db, null, request.params.keyId);
      if (!revoked) throw new NotFoundError('API key', request.params.keyId);
      return shown(revoked);
    },
  );
};
