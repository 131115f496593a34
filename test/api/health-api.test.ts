import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, adminAuth, createTenantViaApi, startTestApp } from '../support/test-app.js';

describe('health, readiness, metrics and OpenAPI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers /health and /ready without a token, on both ports', async () => {
    for (const server of [t.app, t.infra]) {
      expect((await server.inject('/health')).json()).toEqual({ status: 'UP' });
      const ready = await server.inject('/ready');
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'UP', database: 'external: up', migrations: 'applied' });
    }
  });

  it('counts requests by route template and tenants by status', async () => {
    await createTenantViaApi(t.app);
    await t.app.inject({ method: 'GET', url: '/api/v1/tenants', headers: adminAuth });
    const res = await t.app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/matih_http_requests_total\{server="tenant",method="POST",route="\/api\/v1\/tenants",status_code="201"\} 1/);
    expect(res.body).toMatch(/matih_http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/tenants"/);
    expect(res.body).toMatch(/matih_tenants\{status="PROVISIONING"\} 1/);
    expect(res.body).toMatch(/matih_tenants\{status="ACTIVE"\} 0/);
  });

  it('describes the API as OpenAPI 3.1 with the tenant routes and their schemas', async () => {
    const doc = (await t.app.inject('/openapi.json')).json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/tenants', '/api/v1/tenants/{id}', '/api/v1/tenants/{id}/settings', '/api/v1/auth/token']),
    );
    expect(doc.paths['/api/v1/tenants']).toHaveProperty('post');
    const docs = await t.app.inject('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
    // The API explorer may not be framed by another page, and loads nothing from elsewhere.
    const csp = String(docs.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toMatch(/https:|validator\.swagger\.io|upgrade-insecure-requests/);
    const asset = await t.app.inject('/docs/static/index.html');
    expect(String(asset.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });
});
