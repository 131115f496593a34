import type { FastifyInstance } from 'fastify';
import { ApiKeyScope } from '../domain/api-key-scopes.js';
import { ForbiddenError } from '../domain/errors.js';
import { type Principal, requireScope } from '../iam/principal.js';

const { READ, CREATE, UPDATE, SUSPEND, DELETE, INFRASTRUCTURE, AUDIT } = ApiKeyScope;

/**
 * The scope an API key needs for each route of both servers, by `METHOD path` as the route is
 * declared: the one place that says it (domain/api-key-scopes.ts says what each scope means).
 * `null`: no scope, the route concerns the calling credential itself (who it is, revoking it).
 * Public routes (`config: { public: true }`) take no credential and are not here, except the
 * WebSocket, which authenticates after the upgrade. test/domain/api-key-scopes.test.ts builds
 * both servers and fails for a route that is missing here, or an entry naming no route.
 *
 * A scope narrows the role and never widens it: the route's own role check still applies.
 */
export const ROUTE_SCOPES: Readonly<Record<string, ApiKeyScope | null>> = {
  // Tenant API (8082): tenants and their lifecycle.
  'GET /api/v1/tenants': READ,
  'POST /api/v1/tenants': CREATE,
  'GET /api/v1/tenants/:id': READ,
  'PATCH /api/v1/tenants/:id': UPDATE,
  'POST /api/v1/tenants/:id/suspend': SUSPEND,
  'POST /api/v1/tenants/:id/reactivate': SUSPEND,
  'POST /api/v1/tenants/:id/deletion-requests': DELETE,
  'DELETE /api/v1/tenants/:id': DELETE,
  'GET /api/v1/tenants/:id/settings': READ,
  'PATCH /api/v1/tenants/:id/settings': UPDATE,
  'GET /api/v1/tenants/:id/features': READ,
  'PATCH /api/v1/tenants/:id/features': UPDATE,
  'GET /api/v1/tenants/:id/users': READ,
  'GET /api/v1/tenants/:id/roles': READ,
  'GET /api/v1/tenants/:id/audit': AUDIT,
  // Provisioning.
  'GET /api/v1/tenants/:id/provisioning/status': READ,
  'GET /api/v1/tenants/:id/provisioning/history': READ,
  'POST /api/v1/tenants/:id/provisioning/retry': INFRASTRUCTURE,
  'POST /api/v1/tenants/:id/provisioning/cancel': INFRASTRUCTURE,
  'GET /ws/provisioning/:id': READ,
  // Credentials.
  'GET /api/v1/tenants/:id/api-keys': READ,
  'POST /api/v1/tenants/:id/api-keys': CREATE,
  'DELETE /api/v1/tenants/:id/api-keys/:keyId': DELETE,
  'GET /api/v1/api-keys': READ,
  'POST /api/v1/api-keys': CREATE,
  'DELETE /api/v1/api-keys/:keyId': DELETE,
  'GET /api/v1/auth/whoami': null,
  'POST /api/v1/auth/revoke': null,
  'POST /api/v1/auth/signing-keys/rotate': UPDATE,
  // The service.
  'GET /api/v1/system/status': READ,
  'GET /api/v1/admin/secret-key/rotation': READ,
  'POST /api/v1/admin/secret-key/rotation': UPDATE,
  'GET /api/v1/sim/objects': READ,
  'DELETE /api/v1/sim/objects': INFRASTRUCTURE,
  // Infrastructure API (8089).
  'POST /api/v1/infrastructure/tenants/:tenantId/provision': INFRASTRUCTURE,
  'GET /api/v1/infrastructure/tenants/:tenantId': READ,
  'PUT /api/v1/infrastructure/tenants/:tenantId': INFRASTRUCTURE,
  'DELETE /api/v1/infrastructure/tenants/:tenantId': INFRASTRUCTURE,
  'GET /api/v1/infrastructure/tenants/:tenantId/transitions': READ,
  'GET /api/v1/infrastructure/reconciler': READ,
  'POST /api/v1/infrastructure/reconciler/sweeps': INFRASTRUCTURE,
};

/** `METHOD path` of a route as ROUTE_SCOPES names it: HEAD is its GET. */
export function routeKey(method: string, url: string): string {
  return `${method === 'HEAD' ? 'GET' : method} ${url}`;
}

/**
 * Refuses a key with scopes that lacks the route's (403 insufficient_scope naming it). A route
 * missing from the table is refused to every key with scopes: a new route is closed to narrowed
 * keys until it is given a scope.
 */
export function requireRouteScope(principal: Principal, method: string, url: string): void {
  const key = routeKey(method, url);
  if (!Object.hasOwn(ROUTE_SCOPES, key)) {
    if (principal.scopes !== undefined) throw new ForbiddenError(`${key} has no API key scope yet; only a key without scopes may call it`);
    return;
  }
  const scope = ROUTE_SCOPES[key];
  if (scope) requireScope(principal, scope);
}

export interface DeclaredRoute {
  method: string;
  url: string;
  public: boolean;
}

const declared = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** The routes declared after installScopeCheck, as the server declared them (for the table's test). */
export function declaredRoutes(app: FastifyInstance): readonly DeclaredRoute[] {
  return declared.get(app) ?? [];
}

/**
 * After the auth hook: a request made with a key's scopes (or a token of such a key) needs the
 * route's scope. Runs at onRequest, before the body is read. Also notes every route declared from
 * here on, so that a test can hold the table against the server.
 */
export function installScopeCheck(app: FastifyInstance): void {
  const routes: DeclaredRoute[] = [];
  declared.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, public: route.config?.public === true });
  });
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    // Public routes (and unmatched ones) have no principal.
    const principal: Principal | null = request.principal;
    if (route === undefined || !principal) return;
    requireRouteScope(principal, request.method, route);
  });
}
