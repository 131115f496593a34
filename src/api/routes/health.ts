import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { migrationsApplied } from '../../store/migrate.js';
import type { ApiDeps } from '../deps.js';

/** Liveness, readiness and Prometheus metrics: public, for probes and scrapers, and never rate limited. */
export const healthRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  app.get(
    '/health',
    { config: { public: true, rateLimit: false }, schema: { tags: ['health'], summary: 'Liveness: the process answers', response: { 200: Type.Object({ status: Type.Literal('UP') }) } } },
    async () => ({ status: 'UP' as const }),
  );

  app.get(
    '/ready',
    {
      config: { public: true, rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database answers and every migration is applied',
        response: {
          200: Type.Object({ status: Type.String(), database: Type.String(), migrations: Type.String() }),
          503: Type.Object({ status: Type.String(), database: Type.String(), migrations: Type.String() }),
        },
      },
    },
    async (_request, reply) => {
      const { db, kind, health } = deps.database;
      const unavailable = await health.check();
      if (unavailable !== undefined) {
        void reply.header('retry-after', '1');
        return reply.code(503).send({ status: 'DOWN', database: `${kind}: ${unavailable}`, migrations: 'unknown' });
      }
      const migrated = await migrationsApplied(db).catch(() => false);
      if (!migrated) return reply.code(503).send({ status: 'DOWN', database: `${kind}: up`, migrations: 'pending' });
      return { status: 'UP', database: `${kind}: up`, migrations: 'applied' };
    },
  );

  app.get('/metrics', { config: { public: true, rateLimit: false }, schema: { tags: ['health'], summary: 'Prometheus metrics', hide: false } }, async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
};
