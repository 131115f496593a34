import type { FastifyInstance } from 'fastify';

/**
 * Lets browser pages of any origin read (GET, HEAD) the routes under `prefix`, and nothing else.
 *
 * Why: the dashboard is served by the tenant API (8082) and reads the infrastructure API (8089),
 * which is another origin. Those routes authenticate with a bearer token only; there is no cookie
 * or other credential a browser would attach by itself, so a page can only read what its user
 * gave it a token for, and `*` exposes nothing that a fixed origin list would protect. (A
 * fixed list could not be written in advance anyway: the dashboard's origin is whatever host
 * name the operator reaches the service by.) Writes stay same-origin: preflights for other
 * methods are not granted. Public routes (health, metrics) get no CORS headers, so a page on
 * the operator's network cannot read them through the browser.
 */
export function allowCrossOriginReads(app: FastifyInstance, prefix: string): void {
  const applies = (url: string) => url.startsWith(prefix);
  app.options(`${prefix}*`, { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const method = request.headers['access-control-request-method'];
    if (typeof request.headers.origin === 'string' && (method === 'GET' || method === 'HEAD')) {
      void reply.headers({
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET, HEAD',
        'access-control-allow-headers': 'authorization',
        'access-control-max-age': '600',
      });
    }
    return reply.code(204).send();
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if ((request.method === 'GET' || request.method === 'HEAD') && typeof request.headers.origin === 'string' && applies(request.url)) {
      void reply.header('access-control-allow-origin', '*');
    }
    return payload;
  });
}
