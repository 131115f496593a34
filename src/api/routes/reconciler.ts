import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ERROR_CODES } from '../../domain/error-codes.js';
import { matihError } from '../../domain/errors.js';
import { requirePlatformAdmin } from '../../iam/principal.js';
import type { ApiDeps } from '../deps.js';
import { withErrors } from '../schemas/common.js';
import { ReconcilerStatusSchema, SweepRequestSchema, SweepSummarySchema } from '../schemas/reconciler.js';

/**
 * spec/000's InfrastructureReconciler seen from the infrastructure API (platform admin): its
 * interval and bound, whether it is sweeping, the last full sweep of any replica, and the
 * RECONCILE jobs open now; and a full sweep asked for now, whatever the interval (after a restore,
 * a change made behind the control plane's back, or to measure one). A service built without an
 * engine answers 404.
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

  app.post(
    '/api/v1/infrastructure/reconciler/sweeps',
    {
      schema: {
        tags: ['infrastructure'],
        summary: 'Ask for a full reconcile sweep now, whatever MATIH_RECONCILE_INTERVAL_S (platform admin)',
        description:
          "202 at once: this replica's reconciler sweeps every live tenant as soon as its current pass ends, under the sweep lease (while another replica holds it, that replica's sweep stands for it). Requests made before the sweep starts are one sweep. GET /api/v1/infrastructure/reconciler shows it: sweeping, then lastPass.",
        security: [{ bearer: [] }],
        response: withErrors({ 202: SweepRequestSchema }),
      },
    },
    async (request, reply) => {
      requirePlatformAdmin(request.principal);
      if (!deps.reconciler) throw matihError(ERROR_CODES.NO_RECONCILER);
      // Taken before the wake-up, so that the pass it starts begins at or after it.
      const requestedAt = new Date().toISOString();
      deps.reconciler.wake();
      request.log.info({ actor: request.principal.actor }, 'full reconcile sweep requested');
      return reply.code(202).header('cache-control', 'no-store').send({ requestedAt });
    },
  );
};
