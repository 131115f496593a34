import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ERROR_CODES } from '../../domain/error-codes.js';
import { NotFoundError, matihError } from '../../domain/errors.js';
import { requirePlatformAdmin } from '../../iam/principal.js';
import type { KubeObject } from '../../shared/kubernetes-objects.js';
import type { ApiDeps, SimClusterAccess } from '../deps.js';
import { withErrors } from '../schemas/common.js';
import { SimObjectListSchema, SimObjectRefQuery, SimObjectsQuery } from '../schemas/sim-objects.js';

/**
 * Inspection of the simulated cluster (the Kubernetes test double), for platform admins, tests
 * and demos: what the engine has applied, and a way to delete an object behind its back (drift).
 * A service running a real cluster driver answers 404.
 */
export const simObjectRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const simCluster = (): SimClusterAccess => {
    if (!deps.simCluster) throw matihError(ERROR_CODES.NO_SIMULATED_CLUSTER);
    return deps.simCluster;
  };

  app.get(
    '/api/v1/sim/objects',
    {
      schema: {
        tags: ['simulated cluster'],
        summary: 'The objects the simulated cluster holds, with their simulated status; Secret values redacted (platform admin)',
        security: [{ bearer: [] }],
        querystring: SimObjectsQuery,
        response: withErrors({ 200: SimObjectListSchema }),
      },
    },
    async (request, reply) => {
      requirePlatformAdmin(request.principal);
      const { namespace, kind } = request.query;
      const objects = await simCluster().listAll(namespace || undefined, kind || undefined);
      return reply.header('cache-control', 'no-store').send({ items: objects.map(redactSecrets) });
    },
  );

  app.delete(
    '/api/v1/sim/objects',
    {
      schema: {
        tags: ['simulated cluster'],
        summary: 'Delete one object behind the engine\'s back, as someone with kubectl would (platform admin)',
        security: [{ bearer: [] }],
        querystring: SimObjectRefQuery,
        response: withErrors({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      requirePlatformAdmin(request.principal);
      const { apiVersion, kind, name, namespace } = request.query;
      const ref = { apiVersion, kind, name, ...(namespace ? { namespace } : {}) };
      const existed = await simCluster().remove(ref);
      if (!existed) throw new NotFoundError(`${apiVersion} ${kind}`, `${namespace ? `${namespace}/` : ''}${name}`);
      return reply.code(204).send(null);
    },
  );
};

const REDACTED = '[redacted]';

/**
 * Secret values never leave the service: the keys of a Secret's data and stringData stay (they
 * say what the engine put there), every value becomes "[redacted]".
 */
export function redactSecrets(object: KubeObject): KubeObject {
  if (object.kind !== 'Secret') return object;
  const copy: KubeObject = { ...object };
  for (const field of ['data', 'stringData'] as const) {
    const values = object[field];
    if (typeof values === 'object' && values !== null) copy[field] = Object.fromEntries(Object.keys(values).map((key) => [key, REDACTED]));
    else if (values !== undefined) copy[field] = REDACTED;
  }
  return copy;
}
