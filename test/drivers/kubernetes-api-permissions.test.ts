import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_PLANE_PERMISSIONS, expandPermissions, permissionGuard, permissionKey } from '../../src/drivers/kubernetes/api-permissions.js';
import { KubernetesClusterDriver } from '../../src/drivers/kubernetes/kubernetes-driver.js';
import { requestAttributes } from '../../src/drivers/kubernetes/request-attributes.js';
import type { ObjectRef } from '../../src/drivers/contract.js';
import { waitForJobEnd } from '../support/provisioning.js';
import { FakeKubeApi, type RecordedRequest } from '../support/fake-kube-api.js';
import { type TestApp, adminAuth, createTenantViaApi, startTestApp } from '../support/test-app.js';

/**
 * The control plane's Kubernetes permissions (src/drivers/kubernetes/api-permissions.ts, the
 * rules of the Helm chart's ClusterRole) are exactly what it needs: a tenant's whole life through
 * the real Kubernetes driver against the HTTP fake of the API server (provisioned with
 * cert-manager certificates, swept by the reconciler, deleted), every request mapped to the
 * (group, resource, verb) the API server would authorize, equals the table's `calls` rows; the
 * rules of the Roles the steps create equal its `delegated` rows.
 *
 * The controllers are played here, slowly on purpose: Flux and cert-manager report Ready only
 * after the driver's watch was cut once (as the API server does when a watch times out), so the
 * reads a long wait makes on a real cluster happen here too; the cloud gives the ingress
 * controller's Service its address only while the driver watches it.
 *
 * What the fake cannot show, said in the table: create is authorized for an apply that creates
 * the object (the fake answers such an apply 201; here: the first apply of a path, or the first
 * after its delete), and discovery documents are non-resource URLs every client may read.
 */

const TOKEN = 'fake-token-permissions';

describe('the Kubernetes permission table against a tenant\'s whole life on the HTTP fake of the API server', () => {
  let fake: FakeKubeApi;
  let t: TestApp;
  let dir: string;
  let controller: NodeJS.Timeout;

  beforeAll(async () => {
    fake = await FakeKubeApi.start({ token: TOKEN });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'matih-permissions-'));
    const kubeconfig = await fake.writeKubeconfig(dir);
    controller = playControllers(fake);
    t = await startTestApp({ engine: { cluster: { kind: 'kubernetes', kubeconfig }, tls: 'cert-manager' } });
  });

  afterAll(async () => {
    clearInterval(controller);
    await t?.close();
    await fake?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('the driver sends exactly the table\'s calls, and the tenant Roles grant exactly its delegated rows', async () => {
    const created = await createTenantViaApi(t.app, { tier: 'PROFESSIONAL' });
    const provisioned = await waitForJobEnd(t.app, created.id, 120_000);
    expect(provisioned.status, provisioned.errorMessage ?? '').toBe('ACTIVE');

    await t.engine!.reconciler.sweepOnce();

    const code = await t.app.inject({ method: 'POST', url: `/api/v1/tenants/${created.id}/deletion-requests`, headers: adminAuth });
    const { confirmationCode } = code.json<{ confirmationCode: string }>();
    const deletion = await t.app.inject({ method: 'DELETE', url: `/api/v1/tenants/${created.id}`, headers: { ...adminAuth, 'x-confirmation-code': confirmationCode } });
    expect(deletion.statusCode, deletion.body).toBe(202);
    const deleted = await waitForJobEnd(t.app, created.id, 120_000);
    expect(deleted.job, deleted.errorMessage ?? '').toMatchObject({ kind: 'DELETE', status: 'SUCCEEDED' });

    const recorded = authorizedAs(fake.requests);
    expect([...recorded].sort()).toEqual([...expandPermissions(CONTROL_PLANE_PERMISSIONS, ['calls'])].sort());

    const granted = new Set<string>();
    for (const r of fake.apiRequests.filter((r) => r.method === 'PATCH' && r.path.includes('/roles/'))) {
      const role = JSON.parse(r.body) as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
      for (const rule of role.rules) for (const g of rule.apiGroups) for (const res of rule.resources) for (const v of rule.verbs) granted.add(permissionKey(g, res, v));
    }
    expect([...granted].sort()).toEqual([...expandPermissions(CONTROL_PLANE_PERMISSIONS, ['delegated'])].sort());
  }, 300_000);

  it('a request outside the table fails before it is sent, naming the permission, and the API server never sees it', async () => {
    const driver = new KubernetesClusterDriver({ kubeConfig: { kind: 'direct', server: fake.url, token: TOKEN, skipTlsVerify: true }, permissions: CONTROL_PLANE_PERMISSIONS });
    const before = fake.apiRequests.length;
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'matih-acme' }, spec: {} };
    await expect(driver.apply(deployment)).rejects.toMatchObject({ retryable: false, message: expect.stringContaining('do not include patch and create on apps/deployments') as string });
    const ref: ObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: 'matih-acme' };
    await expect(driver.get(ref)).rejects.toMatchObject({ retryable: false, message: expect.stringContaining('get on configmaps') as string });
    expect(fake.apiRequests.length).toBe(before);
    // The guard reads requests as the API server does.
    const guard = permissionGuard(CONTROL_PLANE_PERMISSIONS);
    expect(() => guard({ method: 'GET', path: '/api/v1/namespaces/matih-acme/services/web:http/proxy/health' })).not.toThrow();
    expect(() => guard({ method: 'GET', path: '/api/v1/namespaces/matih-acme/pods', query: { watch: 'true' } })).toThrow(/watch on pods/);
    expect(() => guard({ method: 'GET', path: '/apis/apps/v1' })).not.toThrow();
  });
});

/**
 * (group, resource, verb) of each request, as the API server's authorizer sees it; an apply that
 * creates its object is authorized as create as well.
 */
function authorizedAs(requests: readonly RecordedRequest[]): Set<string> {
  const out = new Set<string>();
  const exists = new Set<string>();
  for (const r of requests) {
    if (r.discovery) continue;
    const a = requestAttributes(r.method, r.path, r.query);
    if (!a) continue;
    out.add(permissionKey(a.group, a.resource, a.verb));
    if (a.verb === 'patch' && r.contentType === 'application/apply-patch+yaml' && !exists.has(r.path)) {
      out.add(permissionKey(a.group, a.resource, 'create'));
      exists.add(r.path);
    }
    if (a.verb === 'delete') exists.delete(r.path);
  }
  return out;
}

/**
 * Flux, cert-manager and the cloud, slowly: a HelmRelease or Certificate becomes Ready on the
 * second watch of it (the first is cut: a GET follows, as after a watch timeout on a real
 * cluster); the ingress-nginx release's Service appears without an address, which it gets while
 * the driver watches it.
 */
function playControllers(fake: FakeKubeApi): NodeJS.Timeout {
  // Each object's watches are counted from its first apply on, by position in the record: a
  // watch that arrives in the same tick as the apply is its first watch, not one "already seen"
  // (which left it waiting for the driver's watch timeout, a minute per object, on a loaded machine).
  const state = new Map<string, { ref: ObjectRef; plural: string; appliedAt: number; watchesAtCut?: number }>();
  let scanned = 0;
  const watchesOf = (requests: readonly RecordedRequest[], s: { ref: ObjectRef; plural: string; appliedAt: number }) => {
    let n = 0;
    for (let i = s.appliedAt + 1; i < requests.length; i++) {
      const r = requests[i]!;
      if (r.query.watch === 'true' && r.path.endsWith(`/namespaces/${s.ref.namespace ?? ''}/${s.plural}`) && r.query.fieldSelector === `metadata.name=${s.ref.name}`) n++;
    }
    return n;
  };
  return setInterval(() => {
    const requests = fake.apiRequests;
    for (; scanned < requests.length; scanned++) {
      const r = requests[scanned]!;
      const m = /^\/apis\/(helm\.toolkit\.fluxcd\.io\/v2|cert-manager\.io\/v1)\/namespaces\/([^/]+)\/(helmreleases|certificates)\/([^/]+)$/.exec(r.path);
      if (r.method !== 'PATCH' || !m || state.has(r.path)) continue;
      const ref = { apiVersion: m[1]!, kind: m[3] === 'helmreleases' ? 'HelmRelease' : 'Certificate', namespace: m[2]!, name: m[4]! };
      state.set(r.path, { ref, plural: m[3]!, appliedAt: scanned });
    }
    for (const s of state.values()) {
      const current = fake.object(s.ref);
      if (!current || (current.status as { conditions?: unknown } | undefined)?.conditions) continue;
      const watches = watchesOf(requests, s);
      if (s.watchesAtCut === undefined) {
        if (watches === 0) continue;
        s.watchesAtCut = watches;
        fake.endWatches();
        continue;
      }
      if (watches <= s.watchesAtCut) continue;
      fake.markReady(s.ref);
      if (s.ref.kind === 'HelmRelease' && s.ref.name === 'ingress-nginx') {
        fake.seed({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ingress-nginx-controller', namespace: s.ref.namespace! }, spec: { type: 'LoadBalancer' } });
      }
    }
    for (const service of requests.filter((r) => r.query.watch === 'true' && r.path.endsWith('/services'))) {
      const ns = service.path.split('/')[4]!;
      const ref = { apiVersion: 'v1', kind: 'Service', namespace: ns, name: 'ingress-nginx-controller' };
      const current = fake.object(ref);
      if (current && !(current.status as { loadBalancer?: unknown } | undefined)?.loadBalancer) fake.markReady(ref);
    }
  }, 25);
}
