import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { ERROR_CODES } from '../domain/error-codes.js';
import { matihError } from '../domain/errors.js';
import { installAuthHook } from './auth-hook.js';
import { installScopeCheck } from './route-scopes.js';
import { credentialRefused, installRequestLimits } from './request-limits.js';
import { MAX_PARAM_LENGTH, clientErrors, frameworkErrors, installInputHygiene } from './input-hygiene.js';
import { allowCrossOriginReads } from './cross-origin-reads.js';
import type { ApiDeps } from './deps.js';
import { errorHandler, sendProblem } from './problem.js';
import { AccessLog } from './request-log.js';
import { readiness } from './readiness.js';
import { traceRequests } from './request-tracing.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { featureRoutes } from './routes/features.js';
import { healthRoutes } from './routes/health.js';
import { infrastructureRoutes } from './routes/infrastructure.js';
import { lifecycleRoutes } from './routes/lifecycle.js';
import { provisioningRoutes } from './routes/provisioning.js';
import { provisioningStreamRoutes } from './routes/provisioning-ws.js';
import { reconcilerRoutes } from './routes/reconciler.js';
import { settingsRoutes } from './routes/settings.js';
import { simObjectRoutes } from './routes/sim-objects.js';
import { secretKeyRotationRoutes } from './routes/secret-key-rotation.js';
import { systemStatusRoutes } from './routes/system-status.js';
import { tenantDirectoryRoutes } from './routes/tenant-directory.js';
import { tenantRoutes } from './routes/tenants.js';
import { tlsRoutes } from './routes/tls.js';
import { ProblemSchema } from './schemas/common.js';
import { ProvisioningStatusSchema } from './schemas/provisioning.js';
import { TenantSchema } from './schemas/tenant.js';
import { validatorCompiler } from './validation.js';

/** The tenant API (port 8082). Builds and returns the server; never listens (main.ts does). */
export async function buildServer(deps: ApiDeps): Promise<FastifyInstance> {
  const app = await baseServer(deps, {
    server: 'tenant',
    title: 'MATIH tenant API',
    description: 'Create, read and configure tenants; the control-plane tier of tenant provisioning.',
  });
  await app.register(tenantRoutes, deps);
  await app.register(lifecycleRoutes, deps);
  await app.register(tenantDirectoryRoutes, deps);
  await app.register(settingsRoutes, deps);
  await app.register(featureRoutes, deps);
  await app.register(apiKeyRoutes, deps);
  await app.register(authRoutes, deps);
  await app.register(provisioningRoutes, deps);
  await app.register(auditRoutes, deps);
  await app.register(simObjectRoutes, deps);
  await app.register(tlsRoutes, deps);
  await app.register(systemStatusRoutes, deps);
  await app.register(secretKeyRotationRoutes, deps);
  await app.register(dashboardRoutes, deps);
  await app.register(websocket, {
    options: {
      maxPayload: 64 * 1024,
      // Answer with our own protocol name, never echo the token-carrying one.
      handleProtocols: (protocols: Set<string>) => (protocols.has('matih.v1') ? 'matih.v1' : false),
    },
  });
  await app.register(provisioningStreamRoutes({ checkMs: deps.progressCheckMs ?? 10_000 }), deps);
  return app;
}

/** The infrastructure API (port 8089): health and its OpenAPI document; spec/000 routes join it here. */
export async function buildInfraServer(deps: ApiDeps): Promise<FastifyInstance> {
  const app = await baseServer(deps, {
    server: 'infra',
    title: 'MATIH infrastructure API',
    description: 'Tenant infrastructure records, desired state and transitions (spec/000).',
  });
  // The dashboard (served on the tenant API's origin) reads these routes from the browser.
  allowCrossOriginReads(app, '/api/v1/infrastructure/');
  await app.register(infrastructureRoutes, deps);
  await app.register(reconcilerRoutes, deps);
  return app;
}

interface ServerIdentity {
  server: string;
  title: string;
  description: string;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_CONNECTIONS = 10_000;

/**
 * The HTTP server under Fastify, with what slow and greedy clients need: the whole request
 * (headers and body) within `requestTimeoutMs` or the connection is closed (Node answers 408),
 * checked every second rather than Node's default 30 s; headers within the same time; at most
 * `maxConnections` open sockets, beyond which new ones are closed at once. Idle keep-alive
 * connections close after Fastify's 72 s. An upgraded WebSocket leaves the request timeout
 * behind: its life is the stream's (routes/provisioning-ws.ts). A request without Host reaches
 * the service, which refuses it with a problem (input-hygiene.ts), where Node's check answers an
 * empty 400.
 */
function boundedServerFactory(deps: ApiDeps) {
  const requestTimeout = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return (handler: Parameters<typeof createServer>[1]) => {
    const server = createServer(
      { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(1_000, requestTimeout), requireHostHeader: false },
      handler,
    );
    server.maxConnections = deps.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    // Longer than the 60 s idle timeout of the usual load balancers, so they close first (Fastify's default).
    server.keepAliveTimeout = 72_000;
    return server;
  };
}

/** Fastify's trustProxy: nobody unless configured, so that a client cannot name its own address in X-Forwarded-For. */
function trustProxyOf(deps: ApiDeps): boolean | string[] | ((address: string, hop: number) => boolean) {
  const trust = deps.requestLimits?.trustProxy ?? false;
  // A hop count as Fastify reads one (its types take no number): the nearest `trust` proxies.
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return typeof trust === 'object' ? [...trust] : trust;
}

async function baseServer(deps: ApiDeps, id: ServerIdentity): Promise<FastifyInstance> {
  const app = Fastify({
    serverFactory: boundedServerFactory(deps),
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler: clientErrors,
    loggerInstance: deps.logger,
    // One access line per request, with its outcome (request-log.ts).
    logController: new AccessLog(),
    bodyLimit: deps.bodyLimitBytes,
    genReqId: () => randomUUID(),
    requestIdHeader: 'x-request-id',
    // Reject duplicate query parameters and prototype-poisoning keys instead of guessing.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // The client address the per-address limits key on (MATIH_TRUST_PROXY).
    trustProxy: trustProxyOf(deps),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler());
  // First, so that the request's span covers every hook after it. Only when tracing is on: four
  // hooks per request would cost every create something for spans nobody records.
  if (deps.traceRequests) traceRequests(app, id.server);
  installInputHygiene(app);
  app.setErrorHandler(errorHandler((reason) => deps.database.health.reportUnavailable(reason)));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, matihError(ERROR_CODES.ROUTE_NOT_FOUND, request.method, request.url.split('?')[0] ?? '')),
  );
  // JSON only: text/plain (accepted by Fastify by default) would reach handlers as a string.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/merge-patch+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  app.addSchema(ProblemSchema);
  app.addSchema(TenantSchema);
  app.addSchema(ProvisioningStatusSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: id.title, description: id.description, version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // The UI's own CSP (hashes of its inline script and style), made stricter: no framing (click-
    // jacking), nothing fetched from other origins, and no upgrade-insecure-requests, which would
    // break the page on a plain-http localhost.
    staticCSP: true,
    transformStaticCSP: (header) =>
      header
        .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
        .replace(' validator.swagger.io', '')
        .replaceAll(' https:', '')
        .replace(/\s*upgrade-insecure-requests;/, ''),
  });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  installAuthHook(app, deps.authenticate, (request, error) => credentialRefused(deps, request, error));
  // Right after authentication: a request counts against its limits whatever the checks after it say.
  await installRequestLimits(app, deps);
  installScopeCheck(app);
  deps.metrics.instrument(app, id.server);
  deps.metrics.watchReadiness(async () => (await readiness(deps)).ready);
  await app.register(healthRoutes, deps);
  return app;
}
