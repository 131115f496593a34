import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { migrationsApplied } from '../../store/migrate.js';
import type { ApiDeps } from '../deps.js';

/** Liveness, readiness and Prometheus metrics: public, for probes and scrapers. */
export const healthRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  app.get(
    '/health',
    { config: { public: true }, schema: { tags: ['health'], summary: 'Liveness: the process answers', response: { 200: Type.Object({ status: Type.Literal('UP') }) } } },
    async () => ({ status: 'UP' as const }),
  );

  app.get(
    '/ready',
    {
      config: { public: true },
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
      const { db, kind } = deps.database;
      try {
        await sql`select 1`.execute(db);
      } catch {
        return reply.code(503).send({ status: 'DOWN', database: `${kind}: unreachable`, migrations: 'unknown' });
      }
      const migrated = await migrationsApplied(db).catch(() => false);
      if (!migrated) return reply.code(503).send({ status: 'DOWN', database: `${kind}: up`, migrations: 'pending' });
      return { status: 'UP', database: `${kind}: up`, migrations: 'applied' };
    },
  );

  app.get('/metrics', { config: { public: true }, schema: { tags: ['health'], summary: 'Prometheus metrics', hide: false } }, async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
};
