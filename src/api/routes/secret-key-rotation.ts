import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ERROR_CODES } from '../../domain/error-codes.js';
import { matihError } from '../../domain/errors.js';
import { safeToDropPrevious } from '../../domain/sealed-values.js';
import { requirePlatformAdmin } from '../../iam/principal.js';
import type { ApiDeps } from '../deps.js';
import { withErrors } from '../schemas/common.js';
import { SecretKeyRotationSchema, SecretKeyStatusSchema } from '../schemas/secret-key-rotation.js';

const PATH = '/api/v1/admin/secret-key/rotation';

/**
 * MATIH_SECRET_KEY rotation (docs/operations.md): GET counts the sealed values by the key that
 * opens them, POST seals every one again with the current key. Either can be asked of any replica,
 * as often as wanted: all replicas must already have the same MATIH_SECRET_KEY and
 * MATIH_SECRET_KEY_PREVIOUS, since the answer speaks for the keys of the replica that gives it.
 */
export const secretKeyRotationRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const rotation = () => {
    if (!deps.secretKeyRotation) throw matihError(ERROR_CODES.NO_SECRET_KEY_ROTATION);
    return deps.secretKeyRotation;
  };

  app.get(
    PATH,
    {
      schema: {
        tags: ['admin'],
        summary: 'How many sealed values each key opens: safe to drop MATIH_SECRET_KEY_PREVIOUS when none needs a previous key (platform admin)',
        security: [{ bearer: [] }],
        response: withErrors({ 200: SecretKeyStatusSchema }),
      },
    },
    async (request, reply) => {
      requirePlatformAdmin(request.principal);
      const keys = rotation();
      const census = await keys.census();
      return reply.header('cache-control', 'no-store').send({ ...census, previousKeys: keys.previousKeys, safeToDropPrevious: safeToDropPrevious(census) });
    },
  );

  app.post(
    PATH,
    {
      schema: {
        tags: ['admin'],
        summary: 'Seal every sealed value again with MATIH_SECRET_KEY (platform admin); idempotent, safe beside running jobs and other replicas',
        description:
          'Values are replaced by compare-and-set, in batches; values no key opens are counted and named, never changed. Run it after every replica has the new MATIH_SECRET_KEY and the old one in MATIH_SECRET_KEY_PREVIOUS; remove MATIH_SECRET_KEY_PREVIOUS once safeToDropPrevious is true.',
        security: [{ bearer: [] }],
        response: withErrors({ 200: SecretKeyRotationSchema }),
      },
    },
    async (request, reply) => {
      requirePlatformAdmin(request.principal);
      const keys = rotation();
      const report = await keys.rotate();
      const safe = safeToDropPrevious(report);
      const log = { ...report, unreadableValues: report.unreadableValues.slice(0, 10), previousKeys: keys.previousKeys, safeToDropPrevious: safe, actor: request.principal.actor };
      if (safe) request.log.info(log, 'secret key rotation done');
      else request.log.warn(log, 'secret key rotation left values under another key');
      return reply.header('cache-control', 'no-store').send({ ...report, previousKeys: keys.previousKeys, safeToDropPrevious: safe });
    },
  );
};
