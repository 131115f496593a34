import { describe, expect, it } from 'vitest';
import { buildInfraServer, buildServer } from '../../src/api/build-server.js';
import { ROUTE_SCOPES, declaredRoutes, requireRouteScope, routeKey } from '../../src/api/route-scopes.js';
import { API_KEY_SCOPES, ApiKeyScope, effectiveScopes, grantScopes, scopesAllowedTo } from '../../src/domain/api-key-scopes.js';
import { MatihError } from '../../src/domain/errors.js';
import { PLATFORM_ADMIN, Permission, TenantRole } from '../../src/domain/roles.js';
import type { Principal } from '../../src/iam/principal.js';
import { documentOnlyDeps } from '../../scripts/generate-api-types.js';

const { READ, CREATE, UPDATE, SUSPEND, DELETE, INFRASTRUCTURE, AUDIT } = ApiKeyScope;

function principal(scopes?: readonly ApiKeyScope[]): Principal {
  return {
    actor: 'api-key:k',
    role: PLATFORM_ADMIN,
    tenantId: null,
    permissions: new Set(Object.values(Permission)),
    via: 'api_key',
    ...(scopes ? { scopes: new Set(scopes) } : {}),
  };
}

function refusal(work: () => void): { code: string; message: string } | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(MatihError);
    const { code, message } = error as MatihError;
    return { code, message };
  }
}

describe('API key scopes', () => {
  it('are the seven of issue 16, in one order', () => {
    expect(API_KEY_SCOPES).toEqual(['read', 'create', 'update', 'suspend', 'delete', 'infrastructure', 'audit']);
  });

  it('narrow a role and never widen it: each role allows the scopes of what its permissions let it do', () => {
    expect(scopesAllowedTo(PLATFORM_ADMIN)).toEqual(API_KEY_SCOPES);
    expect(scopesAllowedTo(TenantRole.ADMIN)).toEqual([READ, CREATE, UPDATE, DELETE, AUDIT]);
    expect(scopesAllowedTo(TenantRole.ANALYST)).toEqual([READ, AUDIT]);
    expect(scopesAllowedTo(TenantRole.VIEWER)).toEqual([READ, AUDIT]);
    // A key's scopes as shown: none given is all of its role's; given, only those its role allows.
    expect(effectiveScopes(TenantRole.VIEWER, null)).toEqual([READ, AUDIT]);
    expect(effectiveScopes(TenantRole.VIEWER, [SUSPEND, READ])).toEqual([READ]);
    expect(effectiveScopes(PLATFORM_ADMIN, [AUDIT, CREATE])).toEqual([CREATE, AUDIT]);
  });

  it('grants a new key what is asked within its role and its creator, and says why not otherwise', () => {
    // Nothing asked, an unnarrowed creator: every scope, now and later (stored as null).
    expect(grantScopes(TenantRole.ADMIN, undefined, undefined)).toEqual({ ok: true, scopes: null });
    // Asked: in canonical order, each once.
    expect(grantScopes(PLATFORM_ADMIN, ['suspend', 'read', 'read'], undefined)).toEqual({ ok: true, scopes: [READ, SUSPEND] });
    expect(grantScopes(PLATFORM_ADMIN, ['frobnicate'], undefined)).toEqual({ ok: false, problem: 'unknown', value: 'frobnicate' });
    expect(grantScopes(PLATFORM_ADMIN, [], undefined)).toEqual({ ok: false, problem: 'empty' });
    expect(grantScopes(TenantRole.VIEWER, ['read', 'suspend'], undefined)).toEqual({ ok: false, problem: 'beyond_role', scope: SUSPEND });
    // A narrowed creator cannot mint a wider key, asked or by default.
    const ci = new Set([CREATE, READ]);
    expect(grantScopes(PLATFORM_ADMIN, ['create', 'delete'], ci)).toEqual({ ok: false, problem: 'beyond_creator', scope: DELETE });
    expect(grantScopes(PLATFORM_ADMIN, undefined, ci)).toEqual({ ok: true, scopes: [READ, CREATE] });
    expect(grantScopes(TenantRole.VIEWER, undefined, ci)).toEqual({ ok: true, scopes: [READ] });
    expect(grantScopes(TenantRole.VIEWER, undefined, new Set([CREATE]))).toEqual({ ok: false, problem: 'beyond_creator', scope: READ });
  });
});

describe('the route to scope table', () => {
  it('names a scope for every route of both servers that takes a credential, and only routes that exist', async () => {
    const deps = documentOnlyDeps();
    const seen = new Set<string>();
    const unscoped = new Set<string>();
    try {
      for (const build of [buildServer, buildInfraServer]) {
        const app = await build(deps);
        try {
          await app.ready();
          const routes = declaredRoutes(app);
          // The walk sees the servers' routes (a guard against the hook missing them all).
          expect(routes.length).toBeGreaterThan(5);
          for (const route of routes) {
            const key = routeKey(route.method, route.url);
            seen.add(key);
            if (!route.public && !Object.hasOwn(ROUTE_SCOPES, key)) unscoped.add(key); // HEAD and GET: one entry
          }
        } finally {
          await app.close();
        }
      }
    } finally {
      await deps.database.close();
    }
    // A new route fails here until src/api/route-scopes.ts gives it a scope (or null).
    expect([...unscoped], 'routes without an API key scope in src/api/route-scopes.ts').toEqual([]);
    expect(Object.keys(ROUTE_SCOPES).filter((key) => !seen.has(key)), 'entries of ROUTE_SCOPES naming no route').toEqual([]);
    // The WebSocket is public to the auth hook (it authenticates after the upgrade) and scoped all the same.
    expect(ROUTE_SCOPES['GET /ws/provisioning/:id']).toBe(READ);
  });

  it('gives every scope at least one route, and the operations of issue 16 theirs', () => {
    const used = new Set(Object.values(ROUTE_SCOPES));
    for (const scope of API_KEY_SCOPES) expect(used, scope).toContain(scope);
    expect(ROUTE_SCOPES).toMatchObject({
      'POST /api/v1/tenants': CREATE,
      'PATCH /api/v1/tenants/:id': UPDATE,
      'POST /api/v1/tenants/:id/suspend': SUSPEND,
      'DELETE /api/v1/tenants/:id': DELETE,
      'PUT /api/v1/infrastructure/tenants/:tenantId': INFRASTRUCTURE,
      'GET /api/v1/tenants/:id/audit': AUDIT,
      'GET /api/v1/tenants': READ,
    });
  });

  it("refuses a key without the route's scope with 403 insufficient_scope naming it; keys without scopes pass", () => {
    const readOnly = principal([READ]);
    expect(refusal(() => requireRouteScope(readOnly, 'GET', '/api/v1/tenants/:id'))).toBeUndefined();
    expect(refusal(() => requireRouteScope(readOnly, 'HEAD', '/api/v1/tenants/:id'))).toBeUndefined();
    expect(refusal(() => requireRouteScope(readOnly, 'POST', '/api/v1/tenants/:id/suspend'))).toEqual({
      code: 'insufficient_scope',
      message: 'this API key lacks the `suspend` scope',
    });
    expect(refusal(() => requireRouteScope(readOnly, 'GET', '/api/v1/tenants/:id/audit'))?.message).toBe('this API key lacks the `audit` scope');
    // The caller's own credential needs no scope.
    expect(refusal(() => requireRouteScope(principal([CREATE]), 'GET', '/api/v1/auth/whoami'))).toBeUndefined();
    expect(refusal(() => requireRouteScope(principal(), 'POST', '/api/v1/tenants/:id/suspend'))).toBeUndefined();
    // A route the table does not know is closed to narrowed keys only.
    expect(refusal(() => requireRouteScope(principal(API_KEY_SCOPES), 'POST', '/api/v1/not-in-the-table'))?.code).toBe('forbidden');
    expect(refusal(() => requireRouteScope(principal(), 'POST', '/api/v1/not-in-the-table'))).toBeUndefined();
  });
});
