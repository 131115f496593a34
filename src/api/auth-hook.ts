import type { FastifyInstance } from 'fastify';
import { UnauthenticatedError } from '../domain/errors.js';
import type { Authenticator } from '../iam/authenticator.js';

/**
 * Every route needs a bearer token unless its config says `public: true`. Runs at onRequest,
 * before the body is read, so an anonymous caller cannot make the server parse anything.
 */
export function installAuthHook(app: FastifyInstance, authenticate: Authenticator): void {
  app.decorateRequest('principal', null as never);
  app.addHook('onRequest', async (request) => {
    // Unmatched routes fall through to the 404 handler; public ones need nothing.
    const route = request.routeOptions.url;
    if (route === undefined || request.routeOptions.config.public) return;
    // The interactive API docs (served by @fastify/swagger-ui, whose routes we do not declare).
    if (route === '/docs' || route.startsWith('/docs/')) return;
    const header = request.headers.authorization;
    if (!header) throw new UnauthenticatedError('send a bearer token in the Authorization header');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new UnauthenticatedError('the Authorization header must be "Bearer <token>"');
    request.principal = await authenticate(match[1]);
  });
}
