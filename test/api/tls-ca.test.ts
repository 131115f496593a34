import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJobEnd } from '../support/provisioning.js';
import { type EngineSettings, type TestApp, createTenantViaApi, startTestApp } from '../support/test-app.js';

/**
 * GET /api/v1/tls/ca.pem: what a user fetches to trust the tenant hosts (curl --cacert,
 * NODE_EXTRA_CA_CERTS). It must be the CA that signed the certificates the engine stored, the
 * same on every call, public, and a clear 404 where certificates do not come from the local CA.
 */

const CA_URL = '/api/v1/tls/ca.pem';

function certificateNames(certificate: X509Certificate): string[] {
  return (certificate.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)).sort();
}

describe('the local CA certificate', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ engine: {} });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 200 without a token with a PEM CA certificate that verifies the TLS certificate stored for a provisioned tenant', async () => {
    const tenant = await createTenantViaApi(t.app, { tier: 'PROFESSIONAL' });
    const final = await waitForJobEnd(t.app, tenant.id, 60_000);
    expect(final).toMatchObject({ status: 'ACTIVE', job: { status: 'SUCCEEDED' } });

    const res = await t.app.inject({ method: 'GET', url: CA_URL });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-pem-file\b/);
    expect(res.body).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n?$/);
    expect(res.body).not.toContain('PRIVATE KEY');
    const ca = new X509Certificate(res.body);
    expect(ca.ca).toBe(true);
    expect(new Date(ca.validTo).getTime()).toBeGreaterThan(Date.now());

    // The Secret CREATE_TENANT_INGRESS wrote for the Ingress (spec/004 phase 8).
    const secret = await t.engine?.cluster?.get({ apiVersion: 'v1', kind: 'Secret', namespace: `matih-${tenant.slug}`, name: `${tenant.slug}-tls-certificate` });
    const data = secret?.data as Record<string, string> | undefined;
    expect(data?.['tls.crt'], 'the tenant TLS Secret holds a certificate').toBeTruthy();
    const leaf = new X509Certificate(Buffer.from(data?.['tls.crt'] ?? '', 'base64'));
    expect(certificateNames(leaf)).toEqual([`*.${tenant.slug}.matih.test`, `${tenant.slug}.matih.test`]);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    // The Secret's ca.crt (for in-cluster clients) is the same CA the route hands out.
    expect(new X509Certificate(Buffer.from(data?.['ca.crt'] ?? '', 'base64')).fingerprint256).toBe(ca.fingerprint256);
  });

  it('hands out the same PEM on every call, with or without a token', async () => {
    const first = await t.app.inject({ method: 'GET', url: CA_URL });
    const again = await t.app.inject({ method: 'GET', url: CA_URL });
    const withToken = await t.app.inject({ method: 'GET', url: CA_URL, headers: { authorization: 'Bearer not-a-valid-token' } });
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
    // A public route does not look at the Authorization header: a stale token from a script does not break it.
    expect(withToken.statusCode).toBe(200);
    expect(withToken.body).toBe(first.body);
  });
});

describe('the local CA certificate where there is no local CA', () => {
  const setups: [string, EngineSettings | undefined][] = [
    ['a service without an engine', undefined],
    ['an engine whose certificates come from cert-manager', { tls: 'cert-manager' }],
  ];

  it.each(setups)('is a 404 problem naming no_local_ca for %s', async (_what, engine) => {
    const t = await startTestApp(engine ? { engine } : {});
    try {
      const res = await t.app.inject({ method: 'GET', url: CA_URL });
      expect(res.statusCode, res.body).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json\b/);
      expect(res.json()).toMatchObject({ status: 404, code: 'no_local_ca', type: 'urn:matih:problem:no_local_ca', instance: CA_URL });
      expect(res.body).not.toContain('BEGIN CERTIFICATE');
    } finally {
      await t.close();
    }
  });
});
