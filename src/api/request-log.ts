import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/**
 * Query parameters whose values never reach a log. The OpenID Provider sends the browser back to
 * the dashboard as `/?code=...&state=...` (ui/src/sso.ts), and the access log would keep the
 * authorization code: worthless without the PKCE verifier only the page holds, but a credential
 * all the same. Tokens and keys in a query are a client's mistake the log should not repeat.
 */
const SECRET_QUERY_PARAMETERS = new Set(['code', 'state', 'session_state', 'token', 'access_token', 'id_token', 'refresh_token', 'key', 'apikey', 'api_key']);

/** The URL as logs show it: the path, and the query with the values of the parameters above replaced. */
export function loggedUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const parts = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=', 1)[0] ?? '';
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // A broken escape stays as sent; it is only compared here.
      }
      return SECRET_QUERY_PARAMETERS.has(decoded.toLowerCase()) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, at)}?${parts.join('&')}`;
}

/** Fastify's request serializer (method, url, host, remote address and port), with the URL as above. */
export function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: loggedUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/**
 * One access line per request, written when it completes, with the request (as serialized above),
 * the status and the time: where Fastify writes two, one as the request arrives and one as it
 * completes, and a log line is a good part of what a light request costs. A request that never
 * completes leaves no line (Node closes it after the request timeout).
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {
    // Logged with its outcome, in requestCompleted.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
