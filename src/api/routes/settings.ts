import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../../domain/errors.js';
import { Permission } from '../../domain/roles.js';
import { applySettingsPatch } from '../../domain/settings.js';
import { requireTenantPermission } from '../../iam/principal.js';
import { getTenantSettings, updateTenantSettings } from '../../store/tenants/tenant-settings.js';
import type { ApiDeps } from '../deps.js';
import { parseIfMatch } from '../if-match.js';
import { TenantIdParams, withErrors } from '../schemas/common.js';
import { SettingsPatchBody, VersionedSettingsSchema } from '../schemas/settings.js';
import { requireTenant } from './tenant-directory.js';

export const settingsRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { db } = deps.database;

  app.get(
    '/api/v1/tenants/:id/settings',
    {
      schema: {
        tags: ['settings'],
        summary: "Read the tenant's settings; the ETag is their version",
        security: [{ bearer: [] }],
        params: TenantIdParams,
        response: withErrors({ 200: VersionedSettingsSchema }),
      },
    },
    async (request, reply) => {
      requireTenantPermission(request.principal, request.params.id, Permission.SETTINGS_READ);
      const current = await getTenantSettings(db, request.params.id);
      if (!current) throw new NotFoundError('tenant', request.params.id);
      void reply.header('etag', `"${current.version}"`);
      return { tenantId: request.params.id, ...current };
    },
  );

  app.patch(
    '/api/v1/tenants/:id/settings',
    {
      schema: {
        tags: ['settings'],
        summary: 'Change settings with a JSON merge patch; send If-Match with the ETag to avoid lost updates',
        security: [{ bearer: [] }],
        params: TenantIdParams,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        body: SettingsPatchBody,
        response: withErrors({ 200: VersionedSettingsSchema, 412: Type.Ref('Problem') }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      requireTenantPermission(request.principal, id, Permission.SETTINGS_WRITE);
      const tenant = await requireTenant(db, id);
      const expectedVersion = parseIfMatch(request.headers['if-match']);
      const updated = await updateTenantSettings(db, {
        tenantId: id,
        actor: request.principal.actor,
        expectedVersion,
        change: (current) => applySettingsPatch(current, request.body, tenant.tier),
      });
      if (!updated) throw new NotFoundError('tenant', id);
      // New alert channels reach the tenant's Alertmanager routing through a RECONCILE job (the
      // generation moved, store/tenants/tenant-settings.ts); a wake-up only makes it sooner.
      if (request.body.notifications) deps.reconciler?.wake(id);
      void reply.header('etag', `"${updated.version}"`);
      return { tenantId: id, ...updated };
    },
  );
};
