import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ERROR_CODES } from '../../domain/error-codes.js';
import { matihError } from '../../domain/errors.js';
import type { ApiDeps } from '../deps.js';
import { withErrors } from '../schemas/common.js';

/**
 * The local CA's certificate (MATIH_TLS_DRIVER=local-ca), for whoever should trust the tenant
 * hosts: `curl --cacert`, NODE_EXTRA_CA_CERTS, a browser's trust store. A certificate is public
 * by nature, as a public CA's roots are, so the route needs no token. 404 when certificates come
 * from cert-manager.
 */
export const tlsRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  app.get(
    '/api/v1/tls/ca.pem',
    {
      config: { public: true },
      schema: {
        tags: ['tls'],
        summary: "The local CA's certificate (PEM) that signs tenant certificates",
        response: withErrors({ 200: Type.String({ description: 'PEM' }) }),
      },
    },
    async (_request, reply) => {
      if (!deps.certificateAuthority) {
        throw matihError(ERROR_CODES.NO_LOCAL_CA);
      }
      const pem = await deps.certificateAuthority.caCertificatePem();
      return reply.type('application/x-pem-file').header('cache-control', 'public, max-age=3600').send(pem);
    },
  );
};
