import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ERROR_CODES } from '../../domain/error-codes.js';
import { matihError } from '../../domain/errors.js';
import { requirePlatformAdmin } from '../../iam/principal.js';
import type { ApiDeps } from '../deps.js';
import { withErrors } from '../schemas/common.js';
import { ReconcilerStatusSchema, SweepSummarySchema } from '../schemas/reconciler.js';

/**
 * spec/000's InfrastructureReconciler seen from the infrastructure API (platform admin): its
 * interval and bound, whether it is sweeping, the last full sweep of any replica, and the
 * RECONCILE jobs open now. A service built without an engine answers 404.
 */
export const reconcilerRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  app.addSchema(SweepSummarySchema);
  app.get(
    '/api/v1/infrastructure/reconciler',
    {
      schema: {
        tags: ['infrastructure'],
        summary: 'The desired-state reconciler: interval, bound, last sweep, open repairs (platform admin)',
        security: [{ bearer: [] }],
        response: withErrors({ 200: ReconcilerStatusSchema }),
      },
    },
    async (request, reply) => {
      requirePlatformAdmin(request.principal);
      if (!deps.reconciler) throw matihError(ERROR_CODES.NO_RECONCILER);
      return reply.header('cache-control', 'no-store').send(await deps.reconciler.status());
    },
  );
};
