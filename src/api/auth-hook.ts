import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../domain/errors.js';
import type { Authenticator } from '../iam/authenticator.js';

/**
 * Every route needs a bearer token unless its config says `public: true`. Runs at onRequest,
 * before the body is read, so an anonymous caller cannot make the server parse anything. A token
 * the authenticator refuses goes through `refused`, which counts it against the client address
 * and answers with what to throw (api/request-limits.ts: the refusal, or a lockout).
 */
export function installAuthHook(
  app: FastifyInstance,
  authenticate: Authenticator,
  refused: (request: FastifyRequest, error: unknown) => Promise<unknown> = async (_request, error) => error,
): void {
  app.decorateRequest('principal', null as never);
  app.addHook('onRequest', async (request) => {
    // Unmatched routes fall through to the 404 handler; public ones need nothing.
    const route = request.routeOptions.url;
    if (route === undefined || request.routeOptions.config.public) return;
    // The interactive API docs (served by @fastify/swagger-ui, whose routes we do not declare).
    if (route === '/docs' || route.startsWith('/docs/')) return;
    const bearer = bearerToken(request.headers);
    try {
      request.principal = await authenticate(bearer);
    } catch (error) {
      throw await refused(request, error);
    }
  });
}

/** The bearer token of a request, or a refusal saying what is wrong with the header. */
export function bearerToken(headers: Record<string, string | string[] | undefined>): string {
  const authorization = headers.authorization;
  const protocols = headers['sec-websocket-protocol'];
  const header = (typeof authorization === 'string' ? authorization : undefined) ?? bearerFromSubprotocol(typeof protocols === 'string' ? protocols : undefined);
  if (!header) throw new UnauthenticatedError('send a bearer token in the Authorization header');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new UnauthenticatedError('the Authorization header must be "Bearer <token>"');
  return match[1];
}

/**
 * Browsers cannot set headers on a WebSocket, and a token in the URL would end up in access
 * logs; so a WebSocket client may offer the subprotocol `bearer.<token>` instead.
 */
function bearerFromSubprotocol(header: string | undefined): string | undefined {
  const offered = header?.split(',').map((p) => p.trim()).find((p) => p.startsWith('bearer.'));
  return offered ? `Bearer ${offered.slice('bearer.'.length)}` : undefined;
}
