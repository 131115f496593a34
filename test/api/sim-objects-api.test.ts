import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/build-server.js';
import type { KubeObject } from '../../src/drivers/contract.js';
import type { SimulatedCluster } from '../../src/drivers/simulated/simulated-cluster.js';
import { type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp } from '../support/test-app.js';

interface Problem {
  status: number;
  code: string;
  detail: string;
}
interface ObjectList {
  items: KubeObject[];
}

describe('simulated cluster inspection API', () => {
  let t: TestApp;
  let cluster: SimulatedCluster;
  let app: FastifyInstance;
  let ns: string;

  beforeAll(async () => {
    t = await startTestApp({ engine: { delayMs: 0 } });
    const simulated = t.engine?.cluster;
    if (!simulated) throw new Error('the test app runs the simulated cluster');
    cluster = simulated;
    app = t.app;
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(() => {
    ns = `api-${randomBytes(4).toString('hex')}`;
  });

  const list = async (query: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/sim/objects${query}`, headers: adminAuth });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<ObjectList>().items;
  };
  const secret: () => KubeObject = () => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db-credentials', namespace: ns },
    type: 'Opaque',
    data: { password: Buffer.from('hunter2-very-secret').toString('base64') },
    stringData: { token: 'plain-text-token-value' },
  });
  const deployment: () => KubeObject = () => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: ns, labels: { app: 'web' } },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
  });

  it('lists what the cluster holds, with the simulated status, by namespace and kind; Secret values never leave', async () => {
    await cluster.apply(secret());
    await cluster.apply(deployment());
    await cluster.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: `${ns}-b` }, data: { a: '1' } });

    const items = await list(`?namespace=${ns}`);
    expect(items.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Secret/db-credentials', 'Deployment/web']);
    const [storedSecret, web] = items;
    expect(storedSecret).toMatchObject({ type: 'Opaque', data: { password: '[redacted]' }, stringData: { token: '[redacted]' } });
    expect(web).toMatchObject({ apiVersion: 'apps/v1', metadata: { uid: expect.any(String) as string, generation: 1 }, spec: { replicas: 2 }, status: { availableReplicas: 2 } });

    const res = await app.inject({ method: 'GET', url: '/api/v1/sim/objects', headers: adminAuth });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain(Buffer.from('hunter2-very-secret').toString('base64'));
    expect(res.body).not.toContain('plain-text-token-value');

    expect((await list(`?namespace=${ns}&kind=Deployment`)).map((o) => o.metadata.name)).toEqual(['web']);
    expect((await list('?kind=ConfigMap')).filter((o) => o.metadata.namespace === `${ns}-b`)).toHaveLength(1);
    expect(await list(`?namespace=${ns}-none`)).toEqual([]);
  });

  it('deletes one object behind the engine\'s back: 204, then it is gone and a second delete is 404', async () => {
    await cluster.apply(deployment());
    const url = `/api/v1/sim/objects?apiVersion=apps/v1&kind=Deployment&namespace=${ns}&name=web`;
    const res = await app.inject({ method: 'DELETE', url, headers: adminAuth });
    expect(res.statusCode, res.body).toBe(204);
    expect(await cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: ns })).toBeUndefined();
    expect(await list(`?namespace=${ns}`)).toEqual([]);

    const again = await app.inject({ method: 'DELETE', url, headers: adminAuth });
    expect(again.statusCode).toBe(404);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json<Problem>().detail).toContain('web');
  });

  it('deleting a Namespace through the API empties it', async () => {
    await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await cluster.apply(deployment());
    const res = await app.inject({ method: 'DELETE', url: `/api/v1/sim/objects?apiVersion=v1&kind=Namespace&name=${ns}`, headers: adminAuth });
    expect(res.statusCode, res.body).toBe(204);
    expect(await list(`?namespace=${ns}`)).toEqual([]);
  });

  it('400 names each missing parameter of a delete', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/api/v1/sim/objects?kind=Deployment', headers: adminAuth });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const fields = (res.json<Problem & { errors: { field: string }[] }>().errors ?? []).map((e) => e.field).sort();
    expect(fields).toEqual(['apiVersion', 'name']);
  });

  it('is for platform admins only: 401 without a token, 403 problem+json for a tenant admin', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/sim/objects' })).statusCode).toBe(401);
    const tenant = await createTenantViaApi(app);
    for (const [method, url] of [
      ['GET', '/api/v1/sim/objects'],
      ['DELETE', `/api/v1/sim/objects?apiVersion=v1&kind=ConfigMap&namespace=${ns}&name=x`],
    ] as const) {
      const res = await app.inject({ method, url, headers: bearer(tenant.initialApiKey.key) });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('404 problem+json when the service does not run the simulated cluster', async () => {
    // Built without simCluster, as a service on a real cluster driver is.
    const { simCluster: _simulated, ...deps } = t.deps;
    const real = await buildServer(deps);
    try {
      for (const [method, url] of [
        ['GET', '/api/v1/sim/objects'],
        ['DELETE', '/api/v1/sim/objects?apiVersion=v1&kind=ConfigMap&namespace=x&name=x'],
      ] as const) {
        const res = await real.inject({ method, url, headers: adminAuth });
        expect(res.statusCode).toBe(404);
        expect(res.json<Problem>()).toMatchObject({ code: 'no_simulated_cluster' });
      }
    } finally {
      await real.close();
    }
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    expect(Object.keys(doc.paths['/api/v1/sim/objects'] ?? {}).sort()).toEqual(['delete', 'get']);
  });
});
