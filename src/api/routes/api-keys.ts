import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { Permission, TENANT_ROLES, isTenantRole } from '../../domain/roles.js';
import { generateApiKey } from '../../iam/api-key-format.js';
import { requireTenantPermission } from '../../iam/principal.js';
import { insertApiKey, listApiKeys, revokeApiKey } from '../../store/iam/api-keys.js';
import type { ApiDeps } from '../deps.js';
import { TenantIdParams, withErrors } from '../schemas/common.js';
import { ApiKeyIdParams, ApiKeySchema, CreateApiKeyBody } from '../schemas/auth.js';
import { requireTenant } from './tenant-directory.js';

/** A tenant's API keys: listed without secrets, created (secret shown once), revoked. */
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
      return { items: await listApiKeys(db, request.params.id) };
    },
  );

  app.post(
    '/api/v1/tenants/:id/api-keys',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an API key for a tenant role; the key is in this response only',
        security: [{ bearer: [] }],
        params: TenantIdParams,
        body: CreateApiKeyBody,
        response: withErrors({ 201: Type.Intersect([ApiKeySchema, Type.Object({ key: Type.String() })]) }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      requireTenantPermission(request.principal, id, Permission.API_KEYS_WRITE);
      const { name, role, expiresInDays } = request.body;
      if (!isTenantRole(role)) throw new ValidationError([{ field: 'role', message: `must be one of ${TENANT_ROLES.join(', ')}` }]);
      await requireTenant(db, id);
      const key = generateApiKey();
      const record = await insertApiKey(db, {
        id: key.id,
        tenantId: id,
        userId: null,
        name,
        role,
        secretHash: key.secretHash,
        createdBy: request.principal.actor,
        expiresAt: expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null,
      });
      return reply.code(201).header('cache-control', 'no-store').send({ ...record, key: key.token });
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
      return revoked;
    },
  );
};
