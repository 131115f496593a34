import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ApiDeps } from '../deps.js';
import { readiness } from '../readiness.js';

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
        summary: 'Readiness: the database answers, every migration is applied, and the process is not stopping',
        response: {
          200: Type.Object({ status: Type.String(), database: Type.String(), migrations: Type.String() }),
          503: Type.Object({ status: Type.String(), database: Type.String(), migrations: Type.String() }),
        },
      },
    },
    async (_request, reply) => {
      const { ready, ...answer } = await readiness(deps);
      if (ready) return answer;
      if (answer.status === 'DOWN' && answer.migrations === 'unknown') void reply.header('retry-after', '1');
      return reply.code(503).send(answer);
    },
  );

  app.get('/metrics', { config: { public: true, rateLimit: false }, schema: { tags: ['health'], summary: 'Prometheus metrics', hide: false } }, async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
};
