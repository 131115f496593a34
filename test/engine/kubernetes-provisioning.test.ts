import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJobEnd } from '../support/provisioning.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';
import { type TestApp, createTenantViaApi, startTestApp } from '../support/test-app.js';

/**
 * MATIH_CLUSTER=kubernetes end to end: the engine provisions a tenant through the real
 * Kubernetes driver (client-node underneath) against the HTTP fake of the API server. The test
 * plays Flux's part: every HelmRelease applied is marked Ready a moment later, as helm-controller
 * would once the chart is installed. What this proves is the driver and the steps together
 * (every manifest applied by server-side apply, label-selected pruning lists, readiness by watch,
 * health through the service proxy); what only a real API server can prove is in the README.
 */
describe.each(['local-ca', 'cert-manager'] as const)('provisioning a tenant on a Kubernetes API server (HTTP fake), certificates by %s', (tls) => {
  let fake: FakeKubeApi;
  let t: TestApp;
  let dir: string;
  let controller: NodeJS.Timeout;

  beforeAll(async () => {
    fake = await FakeKubeApi.start({ token: 'fake-token' });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'matih-kube-'));
    const kubeconfig = await fake.writeKubeconfig(dir);
    // Flux's helm-controller, as far as readiness goes: every applied release becomes Ready.
    const marked = new Set<string>();
    controller = setInterval(() => {
      for (const r of fake.apiRequests) {
        // cert-manager's part with MATIH_TLS_DRIVER=cert-manager: the Certificate is issued, Ready.
        const c = /^\/apis\/cert-manager\.io\/v1\/namespaces\/([^/]+)\/certificates\/([^/]+)$/.exec(r.path);
        if (r.method === 'PATCH' && c?.[1] && c[2] && !marked.has(r.path)) {
          const ref = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', namespace: c[1], name: c[2] };
          if (fake.object(ref)) {
            fake.markReady(ref);
            marked.add(r.path);
          }
        }
        const m = /^\/apis\/helm\.toolkit\.fluxcd\.io\/v2\/namespaces\/([^/]+)\/helmreleases\/([^/]+)$/.exec(r.path);
        if (r.method !== 'PATCH' || !m?.[1] || !m[2] || marked.has(r.path)) continue;
        const ref = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', namespace: m[1], name: m[2] };
        if (!fake.object(ref)) continue;
        fake.markReady(ref);
        marked.add(r.path);
        // The chart's controller Service, and the cloud giving it an address.
        if (ref.name === 'ingress-nginx') {
          const service = { apiVersion: 'v1', kind: 'Service', name: 'ingress-nginx-controller', namespace: ref.namespace };
          fake.seed({ apiVersion: 'v1', kind: 'Service', metadata: { name: service.name, namespace: ref.namespace }, spec: { type: 'LoadBalancer' } });
          fake.markReady(service);
        }
      }
    }, 20);
    t = await startTestApp({ engine: { cluster: { kind: 'kubernetes', kubeconfig }, tls } });
  });

  afterAll(async () => {
    clearInterval(controller);
    await t.close();
    await fake.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('a Professional tenant reaches ACTIVE with every object applied once by server-side apply', async () => {
    const created = await createTenantViaApi(t.app, { tier: 'PROFESSIONAL' });
    const final = await waitForJobEnd(t.app, created.id, 60_000);
    expect(final).toMatchObject({ status: 'ACTIVE', errorMessage: null });

    const ns = `matih-${created.slug}`;
    const applies = fake.apiRequests.filter((r) => r.method === 'PATCH' && (r.path.includes(`/namespaces/${ns}/`) || r.path.endsWith(`/namespaces/${ns}`)));
    // The 43 objects of a Professional tenant, each applied exactly once, all the same way.
    const kinds: Record<string, number> = {};
    for (const r of applies) {
      const kind = (JSON.parse(r.body) as { kind: string }).kind;
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
    // With cert-manager the TLS Secret is cert-manager's to write, and the step applies a Certificate instead.
    const certificate = tls === 'local-ca' ? { Secret: 8 } : { Secret: 7, Certificate: 1 };
    expect(kinds).toEqual({
      Namespace: 1, ServiceAccount: 1, Role: 2, RoleBinding: 2, ResourceQuota: 1, LimitRange: 1, NetworkPolicy: 12, HelmRelease: 17,
      Ingress: 1, PrometheusRule: 1, AlertmanagerConfig: 1, ConfigMap: 8, ...certificate,
    });
    expect(new Set(applies.map((r) => r.path)).size).toBe(applies.length);
    for (const r of applies) {
      expect(r).toMatchObject({ contentType: 'application/apply-patch+yaml', query: { fieldManager: 'matih-control-plane', force: 'true' }, authorization: 'Bearer fake-token' });
    }
    // Pruning looked for leftovers by the tenant's and step's labels.
    const lists = fake.apiRequests.filter((r) => r.method === 'GET' && r.query.labelSelector?.includes(`matih.ai/tenant-id=${created.id}`));
    expect(lists.length).toBeGreaterThan(0);
    // VERIFY asked every service for its /health through the service proxy.
    const probes = fake.apiRequests.filter((r) => r.path.startsWith(`/api/v1/namespaces/${ns}/services/`) && r.path.endsWith('/proxy/health'));
    expect(new Set(probes.map((r) => r.path.split('/')[6])).size).toBe(14);
  }, 90_000);
});
