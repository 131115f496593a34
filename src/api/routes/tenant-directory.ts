import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../../domain/errors.js';
import { Permission } from '../../domain/roles.js';
import { requireTenantPermission } from '../../iam/principal.js';
import { getTenant } from '../../store/tenants/get-tenant.js';
import { listTenantRoles } from '../../store/tenants/list-tenant-roles.js';
import { listTenantUsers } from '../../store/tenants/list-tenant-users.js';
import type { Db } from '../../store/open-database.js';
import type { ApiDeps } from '../deps.js';
import { TenantIdParams, withErrors } from '../schemas/common.js';
import { RoleSchema, UserSchema } from '../schemas/tenant.js';

/** The tenant's users and roles (spec/003: usable while the data plane is still provisioning). */
export const tenantDirectoryRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { db } = deps.database;

  app.get(
    '/api/v1/tenants/:id/users',
    {
      schema: {
        tags: ['tenants'],
        summary: "List the tenant's users with their roles",
        security: [{ bearer: [] }],
        params: TenantIdParams,
        response: withErrors({ 200: Type.Object({ items: Type.Array(UserSchema) }) }),
      },
    },
    async (request) => {
      requireTenantPermission(request.principal, request.params.id, Permission.USERS_READ);
      await requireTenant(db, request.params.id);
      return { items: await listTenantUsers(db, request.params.id) };
    },
  );

  app.get(
    '/api/v1/tenants/:id/roles',
    {
      schema: {
        tags: ['tenants'],
        summary: "List the tenant's roles and their permissions",
        security: [{ bearer: [] }],
        params: TenantIdParams,
        response: withErrors({ 200: Type.Object({ items: Type.Array(RoleSchema) }) }),
      },
    },
    async (request) => {
      requireTenantPermission(request.principal, request.params.id, Permission.ROLES_READ);
      await requireTenant(db, request.params.id);
      return { items: await listTenantRoles(db, request.params.id) };
    },
  );
};

export async function requireTenant(db: Db, id: string) {
  const tenant = await getTenant(db, id);
  if (!tenant) throw new NotFoundError('tenant', id);
  return tenant;
}
