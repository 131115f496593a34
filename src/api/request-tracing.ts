import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Span, SpanKind, SpanStatusCode, contextOfHeaders, startSpan, withSpan } from '../shared/tracing.js';

/** Probes and scrapes: a span each, every few seconds per replica, would bury the traces that matter. */
const UNTRACED_ROUTES = new Set(['/health', '/ready', '/metrics']);

/**
 * A span per API request (shared/tracing.ts; recorded only when OTEL_* turned tracing on), named
 * `METHOD route-template` like the metrics' `route` label, continuing the caller's trace from its
 * `traceparent` header. It is the active span while the request's hooks and handler run, so that
 * what they write carries it: the job a create queues (its runs join this trace) and the outbox
 * events. Upgrades to a WebSocket (the progress stream lives as long as the socket) and the
 * probes are not traced.
 */
export function traceRequests(app: FastifyInstance, server: string): void {
  const spans = new WeakMap<FastifyRequest, Span>();
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    if ((route !== undefined && UNTRACED_ROUTES.has(route)) || request.headers.upgrade !== undefined) return done();
    const span = startSpan(route === undefined ? request.method : `${request.method} ${route}`, {
      kind: SpanKind.SERVER,
      parent: contextOfHeaders(request.headers),
      attributes: {
        'http.request.method': request.method,
        // The path only: a query may hold what a trace should not (request-log.ts redacts it in logs).
        'url.path': request.url.split('?', 1)[0] ?? '',
        ...(route === undefined ? {} : { 'http.route': route }),
        'client.address': request.ip,
        'matih.server': server,
      },
    });
    spans.set(request, span);
    withSpan(span, () => done());
  });
  // Again before the handler: a body arrives in the socket's events, outside the context set above.
  app.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request);
    if (!span) return done();
    const tenantId = (request.params as Record<string, unknown> | undefined)?.id;
    if (typeof tenantId === 'string' && request.routeOptions.url?.startsWith('/api/v1/tenants/:id')) span.setAttribute('tenant.id', tenantId);
    withSpan(span, () => done());
  });
  app.addHook('onError', (request, _reply, error, done) => {
    const span = spans.get(request);
    // The exception only: whether it failed the request is the status's to say (a 4xx did not).
    span?.recordException(error);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      spans.delete(request);
      span.setAttribute('http.response.status_code', reply.statusCode);
      // A server span fails on a 5xx only: a 4xx is the client's error, answered as designed.
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${reply.statusCode}` });
      span.end();
    }
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    const span = spans.get(request);
    if (span) {
      spans.delete(request);
      span.setAttribute('matih.aborted', true);
      span.end();
    }
    done();
  });
}
