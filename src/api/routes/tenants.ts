import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { type FieldError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { isUuid } from '../../domain/ids.js';
import { Permission, TenantRole } from '../../domain/roles.js';
import { parseTenantStatus, TENANT_STATUSES, TenantStatus } from '../../domain/tenant-status.js';
import { validateNewTenant } from '../../domain/tenant-validation.js';
import { TIERS, parseTier } from '../../domain/tiers.js';
import { generateApiKey } from '../../iam/api-key-format.js';
import { isPlatformAdmin, mayReadTombstones, requirePlatformAdmin, requireTenantPermission } from '../../iam/principal.js';
import { createTenant } from '../../store/tenants/create-tenant.js';
import { getTenant } from '../../store/tenants/get-tenant.js';
import { listTenants } from '../../store/tenants/list-tenants.js';
import type { ApiDeps } from '../deps.js';
import { TenantIdParams, withErrors } from '../schemas/common.js';
import { CreateTenantBody, CreatedTenantSchema, ListTenantsQuery, TenantPageSchema } from '../schemas/tenant.js';

export const tenantRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { db } = deps.database;

  app.post(
    '/api/v1/tenants',
    {
      schema: {
        tags: ['tenants'],
        summary: 'Create a tenant (control-plane tier, synchronous); provisioning continues in the background',
        security: [{ bearer: [] }],
        body: CreateTenantBody,
        response: withErrors({ 201: CreatedTenantSchema, 409: Type.Ref('Problem'), 413: Type.Ref('Problem'), 415: Type.Ref('Problem') }),
      },
    },
    async (request, reply) => {
      requirePlatformAdmin(request.principal);
      const tenant = validateNewTenant(request.body, {
        enabledCloudProviders: deps.enabledCloudProviders,
        ...(deps.dedicatedCloudProviders ? { dedicatedCloudProviders: deps.dedicatedCloudProviders } : {}),
      });
      const key = generateApiKey();
      const created = await createTenant(db, {
        tenant,
        actor: request.principal.actor,
        apiKey: { id: key.id, secretHash: key.secretHash },
        maxRetries: deps.maxRetries,
      });
      request.log.info({ tenantId: created.tenant.id, slug: tenant.slug, tier: tenant.tier }, 'tenant created');
      deps.wakeWorkers();
      return reply
        .code(201)
        .header('location', `/api/v1/tenants/${created.tenant.id}`)
        .header('cache-control', 'no-store')
        .send({
          ...created.tenant,
          initialApiKey: { id: key.id, key: key.token, role: TenantRole.ADMIN },
          provisioningJobId: created.jobId,
        });
    },
  );

  app.get(
    '/api/v1/tenants',
    {
      schema: {
        tags: ['tenants'],
        summary: 'List tenants, newest first (a tenant-scoped caller sees only its own)',
        security: [{ bearer: [] }],
        querystring: ListTenantsQuery,
        response: withErrors({ 200: TenantPageSchema }),
      },
    },
    async (request) => {
      const { principal } = request;
      const q = request.query;
      const problems: FieldError[] = [];
      const status = q.status === undefined ? undefined : parseTenantStatus(q.status);
      if (q.status !== undefined && !status) problems.push({ in: 'query', field: 'status', message: `must be one of ${TENANT_STATUSES.join(', ')}` });
      const tier = q.tier === undefined ? undefined : parseTier(q.tier);
      if (q.tier !== undefined && !tier) problems.push({ in: 'query', field: 'tier', message: `must be one of ${TIERS.join(', ')}` });
      const before = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (q.cursor !== undefined && !before) problems.push({ in: 'query', field: 'cursor', message: 'is not a cursor this API returned' });
      if (problems.length > 0) throw new ValidationError(problems);
      // Fail closed: a non-admin sees its own tenant only, and nothing if it has none.
      if (!isPlatformAdmin(principal) && (principal.tenantId === null || !principal.permissions.has(Permission.TENANT_READ))) {
        return { items: [], nextCursor: null };
      }
      const page = await listTenants(db, {
        status,
        tier,
        search: q.q,
        before,
        onlyId: isPlatformAdmin(principal) ? undefined : (principal.tenantId ?? undefined),
        limit: q.limit,
      });
      const items = mayReadTombstones(principal) ? page.items : page.items.filter((t) => t.status !== TenantStatus.DELETED);
      return { items, nextCursor: page.nextBefore ? encodeCursor(page.nextBefore) : null };
    },
  );

  app.get(
    '/api/v1/tenants/:id',
    {
      schema: {
        tags: ['tenants'],
        summary: 'Read one tenant',
        security: [{ bearer: [] }],
        params: TenantIdParams,
        response: withErrors({ 200: Type.Ref('Tenant') }),
      },
    },
    async (request) => {
      requireTenantPermission(request.principal, request.params.id, Permission.TENANT_READ);
      const tenant = await getTenant(db, request.params.id);
      if (!tenant || (tenant.status === TenantStatus.DELETED && !mayReadTombstones(request.principal))) throw new NotFoundError('tenant', request.params.id);
      return tenant;
    },
  );
};

// Cursors are opaque to clients so the paging key can change without breaking them.
function encodeCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

function decodeCursor(cursor: string): string | undefined {
  const id = Buffer.from(cursor, 'base64url').toString();
  return isUuid(id) ? id : undefined;
}
