import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../../domain/errors.js';
import { applyFeatureOverridesPatch, featureFlags, resolveFeatures } from '../../domain/features.js';
import { Permission } from '../../domain/roles.js';
import type { Tier } from '../../domain/tiers.js';
import { requireTenantPermission } from '../../iam/principal.js';
import { type VersionedFeatureOverrides, getFeatureOverrides, updateFeatureOverrides } from '../../store/tenants/feature-overrides.js';
import type { ApiDeps } from '../deps.js';
import { parseIfMatch } from '../if-match.js';
import { TenantIdParams, withErrors } from '../schemas/common.js';
import { FeatureOverridesPatchBody, TenantFeaturesSchema } from '../schemas/features.js';
import { requireTenant } from './tenant-directory.js';

/**
 * The tenant's feature flags (issue 5, CONFIGURE): resolved from its tier and its overrides.
 * Overrides are part of the tenant's settings as far as permissions go: whoever may read the
 * settings reads the flags, whoever may change them changes the overrides.
 */
export const featureRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { db } = deps.database;

  app.get(
    '/api/v1/tenants/:id/features',
    {
      schema: {
        tags: ['settings'],
        summary: "Resolve the tenant's feature flags for its tier and overrides; the ETag is the overrides' version",
        security: [{ bearer: [] }],
        params: TenantIdParams,
        response: withErrors({ 200: TenantFeaturesSchema }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      requireTenantPermission(request.principal, id, Permission.SETTINGS_READ);
      const tenant = await requireTenant(db, id);
      const stored = await getFeatureOverrides(db, id);
      if (!stored) throw new NotFoundError('tenant', id);
      void reply.header('etag', `"${stored.version}"`);
      return view(id, tenant.tier, stored);
    },
  );

  app.patch(
    '/api/v1/tenants/:id/features',
    {
      schema: {
        tags: ['settings'],
        summary:
          'Change feature overrides with a JSON merge patch (true/false sets, null removes). A flag may be switched off at any tier, ' +
          "on only within the tenant's tier; unknown flags are refused. Send If-Match with the ETag to avoid lost updates",
        security: [{ bearer: [] }],
        params: TenantIdParams,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        body: FeatureOverridesPatchBody,
        response: withErrors({ 200: TenantFeaturesSchema, 412: Type.Ref('Problem') }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      requireTenantPermission(request.principal, id, Permission.SETTINGS_WRITE);
      const expectedVersion = parseIfMatch(request.headers['if-match']);
      const updated = await updateFeatureOverrides(db, {
        tenantId: id,
        actor: request.principal.actor,
        expectedVersion,
        change: (current, tier) => applyFeatureOverridesPatch(current, request.body, tier),
      });
      if (!updated) throw new NotFoundError('tenant', id);
      // The new flags reach the tenant's ConfigMap through a RECONCILE job (the generation moved).
      deps.reconciler?.wake(id);
      void reply.header('etag', `"${updated.version}"`);
      return view(id, updated.tier, updated);
    },
  );
};

function view(tenantId: string, tier: Tier, stored: VersionedFeatureOverrides) {
  const features = resolveFeatures(tier, stored.overrides);
  return { tenantId, tier, features, flags: featureFlags(features), ...stored };
}
