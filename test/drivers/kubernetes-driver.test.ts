import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DriverError, type KubeObject, type ObjectRef, type ServiceEndpoint } from '../../src/drivers/contract.js';
import { KubeApiError } from '../../src/drivers/kubernetes/error-classification.js';
import { loadKubeConfig } from '../../src/drivers/kubernetes/kube-config.js';
import { FIELD_MANAGER, KubernetesClusterDriver, type KubernetesDriverOptions } from '../../src/drivers/kubernetes/kubernetes-driver.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';
import { waitFor } from '../support/wait-for.js';
import { describeClusterDriverContract } from './cluster-contract.js';

const TOKEN = 'fake-bearer-token-3f9a1c77';
const NS = 'matih-acme';
const TENANT = '0b7c2d9e-5f1a-4c3b-9e8d-7a6f5e4d3c2b';
const LABELS = { 'matih.ai/tenant-id': TENANT, 'matih.ai/step': 'configure-networking' };

const makeDriver = (fake: FakeKubeApi, options: Partial<KubernetesDriverOptions> = {}, token = TOKEN) =>
  new KubernetesClusterDriver({ kubeConfig: { kind: 'direct', server: fake.url, token, skipTlsVerify: true }, watchRetryDelayMs: 50, ...options });

const networkPolicy: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'default-deny-ingress', namespace: NS, labels: LABELS },
  spec: { podSelector: {}, policyTypes: ['Ingress'] },
};
const deployment = (name: string, replicas = 2): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NS, labels: LABELS },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'nginx:1.27', futureField: true }] } } },
});
const helmRelease: KubeObject = {
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'analytics', namespace: NS, labels: LABELS },
  spec: { interval: '10m', chart: { spec: { chart: 'analytics', sourceRef: { kind: 'HelmRepository', name: 'matih' } } } },
};
const lbService: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ingress', namespace: NS }, spec: { type: 'LoadBalancer', ports: [{ port: 443 }] } };
const configMap = (name: string, labels: Record<string, string> = LABELS): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels }, data: { a: '1' } });
const refOf = (o: KubeObject): ObjectRef => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) });
const never = () => new AbortController().signal;
const caught = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

describe('KubernetesClusterDriver against the HTTP fake of the API server', () => {
  let fake: FakeKubeApi;
  let driver: KubernetesClusterDriver;

  beforeEach(async () => {
    fake = await FakeKubeApi.start({ token: TOKEN });
    driver = makeDriver(fake);
  });
  afterEach(async () => {
    await fake.close();
  });

  describe('requests on the wire', () => {
    it('applies server-side: PATCH to the discovered path, one field manager, force, apply-patch content type, the manifest as body', async () => {
      const stored = await driver.apply(networkPolicy);
      expect(fake.apiRequests).toEqual([
        expect.objectContaining({
          method: 'PATCH',
          path: '/apis/networking.k8s.io/v1/namespaces/matih-acme/networkpolicies/default-deny-ingress',
          query: { fieldManager: 'matih-control-plane', force: 'true' },
          contentType: 'application/apply-patch+yaml',
          authorization: `Bearer ${TOKEN}`,
        }),
      ]);
      expect(FIELD_MANAGER).toBe('matih-control-plane');
      expect(JSON.parse(fake.apiRequests[0]?.body ?? '')).toEqual(networkPolicy);
      expect(stored).toMatchObject({ ...networkPolicy, metadata: { ...networkPolicy.metadata, resourceVersion: expect.any(String) as string } });
      // Discovery once per group/version, then cached.
      await driver.apply(networkPolicy);
      expect(fake.requests.filter((r) => r.discovery).map((r) => r.path)).toEqual(['/apis/networking.k8s.io/v1']);
    });

    it('sends fields the client models do not know, and never Date objects back', async () => {
      const stored = await driver.apply(deployment('web'));
      expect(fake.apiRequests[0]?.path).toBe('/apis/apps/v1/namespaces/matih-acme/deployments/web');
      expect(fake.apiRequests[0]?.body).toContain('"futureField":true');
      expect(typeof stored.metadata.creationTimestamp).toBe('string');
    });

    it('finds paths for cluster-scoped kinds and CRDs, skipping subresources in discovery', async () => {
      await driver.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: LABELS } });
      await driver.apply(helmRelease);
      expect(fake.apiRequests.map((r) => `${r.method} ${r.path}`)).toEqual(['PATCH /api/v1/namespaces/matih-acme', 'PATCH /apis/helm.toolkit.fluxcd.io/v2/namespaces/matih-acme/helmreleases/analytics']);
    });

    it('leaves status and server-populated metadata out of an apply, so a GET result can be applied back', async () => {
      await driver.apply(deployment('web'));
      fake.markReady(refOf(deployment('web')));
      const current = await driver.get(refOf(deployment('web')));
      await driver.apply(current as KubeObject);
      const body = JSON.parse(fake.apiRequests.at(-1)?.body ?? '') as KubeObject;
      expect(body.status).toBeUndefined();
      expect(Object.keys(body.metadata).sort()).toEqual(['labels', 'name', 'namespace']);
    });

    it('refuses, without a request, a namespaced object without namespace and a kind the cluster does not serve', async () => {
      const noNamespace = await caught(driver.apply({ ...configMap('x'), metadata: { name: 'x' } }));
      expect(noNamespace).toMatchObject({ retryable: false, message: expect.stringContaining('namespaced') as string });
      const gitRepo = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'g', namespace: NS } };
      const unserved = await caught(driver.apply(gitRepo));
      expect(unserved).toMatchObject({ retryable: true, message: expect.stringContaining('does not serve source.toolkit.fluxcd.io/v1 GitRepository') as string });
      expect(await driver.get(refOf(gitRepo))).toBeUndefined();
      expect(await driver.list(gitRepo, {}, NS)).toEqual([]);
      await driver.delete(refOf(gitRepo));
      expect(fake.apiRequests).toEqual([]);
    });

    it('gets one object by path; 404 is undefined', async () => {
      await driver.apply(configMap('settings'));
      expect(await driver.get(refOf(configMap('settings')))).toMatchObject({ kind: 'ConfigMap', data: { a: '1' } });
      expect(await driver.get(refOf(configMap('absent')))).toBeUndefined();
      expect(fake.apiRequests.slice(1).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/namespaces/matih-acme/configmaps/settings', 'GET /api/v1/namespaces/matih-acme/configmaps/absent']);
    });

    it('lists by an encoded label selector, page by page, and puts back apiVersion and kind', async () => {
      const paged = makeDriver(fake, { listPageSize: 2 });
      for (const name of ['a', 'b', 'c', 'd', 'e']) await paged.apply(configMap(name));
      await paged.apply(configMap('other', { 'matih.ai/tenant-id': 'someone-else' }));
      fake.requests.length = 0;
      const found = await paged.list({ apiVersion: 'v1', kind: 'ConfigMap' }, LABELS, NS);
      expect(found.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(found.every((o) => o.apiVersion === 'v1' && o.kind === 'ConfigMap')).toBe(true);
      const selector = `labelSelector=matih.ai%2Fstep%3Dconfigure-networking%2Cmatih.ai%2Ftenant-id%3D${TENANT}`;
      expect(fake.apiRequests.map((r) => `${r.method} ${r.path}${r.search}`)).toEqual([
        `GET /api/v1/namespaces/matih-acme/configmaps?limit=2&${selector}`,
        `GET /api/v1/namespaces/matih-acme/configmaps?limit=2&${selector}&continue=2`,
        `GET /api/v1/namespaces/matih-acme/configmaps?limit=2&${selector}&continue=4`,
      ]);
      await driver.list({ apiVersion: 'apps/v1', kind: 'Deployment' }, { 'matih.ai/tenant-id': TENANT });
      expect(fake.apiRequests.at(-1)?.path).toBe('/apis/apps/v1/deployments');
    });

    it('refuses label values the selector grammar cannot carry, without a request', async () => {
      const invalid: Record<string, string>[] = [{ 'matih.ai/tenant-id': 'a,b' }, { 'matih.ai/tenant-id': 'x!=y' }, { 'bad key': 'v' }, { ['a'.repeat(64)]: 'v' }, { 'Bad_Prefix/x': 'v' }];
      for (const labels of invalid) {
        await expect(driver.list({ apiVersion: 'v1', kind: 'ConfigMap' }, labels, NS)).rejects.toMatchObject({ retryable: false });
      }
      expect(fake.apiRequests).toEqual([]);
    });

    it('deletes with background propagation; an absent object is success', async () => {
      await driver.apply(deployment('web'));
      await driver.delete(refOf(deployment('web')));
      await driver.delete(refOf(deployment('web')));
      const deletes = fake.apiRequests.filter((r) => r.method === 'DELETE');
      expect(deletes.map((r) => `${r.path}${r.search}`)).toEqual(Array(2).fill('/apis/apps/v1/namespaces/matih-acme/deployments/web?propagationPolicy=Background'));
      expect(fake.object(refOf(deployment('web')))).toBeUndefined();
    });
  });

  describe('error classification', () => {
    const verbs = {
      apply: (d: KubernetesClusterDriver) => d.apply(networkPolicy),
      get: (d: KubernetesClusterDriver) => d.get(refOf(networkPolicy)),
      delete: (d: KubernetesClusterDriver) => d.delete(refOf(networkPolicy)),
      list: (d: KubernetesClusterDriver) => d.list(networkPolicy, LABELS, NS),
    };
    // [status, retryable]; 404 is "absent" for get and delete, and retryable for a write.
    const statuses: [number, boolean][] = [[400, false], [401, false], [403, false], [404, true], [409, true], [422, false], [429, true], [500, true], [503, true]];
    const cases = Object.keys(verbs).flatMap((verb) => statuses.map(([status, retryable]) => [verb as keyof typeof verbs, status, retryable] as const));

    it.each(cases)('%s answered %i', async (verb, status, retryable) => {
      await driver.get(refOf(networkPolicy)); // discovery cached: the injected status hits the verb's own request
      const message = `networkpolicies.networking.k8s.io "default-deny-ingress": injected ${status}`;
      fake.failNext(status, { message, ...(status === 429 ? { retryAfter: '7' } : {}) });
      const error = await caught(verbs[verb](driver));
      if (status === 404 && (verb === 'get' || verb === 'delete')) return expect(error).toBeUndefined();
      expect(error).toBeInstanceOf(KubeApiError);
      expect(error).toMatchObject({ status, retryable, message: expect.stringContaining(message) as string });
      expect((error as Error).message).toMatch(new RegExp(`^${verb} `));
      if (status === 429) expect(error).toMatchObject({ retryAfterSeconds: 7, message: expect.stringContaining('retry after 7 s') as string });
    });

    it('network failures and silence are retryable', async () => {
      await driver.get(refOf(networkPolicy));
      fake.dropNext();
      expect(await caught(driver.apply(networkPolicy))).toMatchObject({ retryable: true, message: expect.stringContaining('the connection to the API server failed (ECONNRESET)') as string });
      const impatient = makeDriver(fake, { requestTimeoutMs: 200 });
      fake.stallNext();
      expect(await caught(impatient.list(networkPolicy, LABELS, NS))).toMatchObject({ retryable: true, message: expect.stringContaining('no answer from the API server within 200 ms') as string });
      await fake.close();
      const refused = await caught(makeDriver(fake).get(refOf(networkPolicy)));
      expect(refused).toMatchObject({ retryable: true, message: expect.stringContaining('ECONNREFUSED') as string });
    });

    it('a wrong token is permanent, and no error carries a token', async () => {
      const errors = [await caught(makeDriver(fake, {}, 'wrong-token-123').apply(networkPolicy))];
      for (const status of [422, 429, 503]) {
        fake.failNext(status);
        errors.push(await caught(driver.apply(networkPolicy)));
      }
      expect(errors[0]).toMatchObject({ status: 401, retryable: false });
      for (const error of errors) {
        expect(error).toBeInstanceOf(DriverError);
        const text = `${(error as Error).message} ${JSON.stringify(error)} ${String((error as Error).cause)}`;
        expect(text).not.toContain(TOKEN);
        expect(text).not.toContain('wrong-token-123');
      }
    });
  });

  describe('awaitReady', () => {
    const watchOpen = () => waitFor(async () => (fake.openWatches > 0 ? true : undefined), 5000, 'a watch');

    it('watches a Deployment until it is rolled out at its current generation', async () => {
      const web = refOf(deployment('web'));
      await driver.apply(deployment('web'));
      let resolved = false;
      const waiting = driver.awaitReady([web], { timeoutMs: 10_000, signal: never() }).then(() => (resolved = true));
      await watchOpen();
      const watch = fake.apiRequests.find((r) => r.query.watch === 'true');
      expect(watch).toMatchObject({ method: 'GET', path: '/apis/apps/v1/namespaces/matih-acme/deployments' });
      expect(watch?.search).toBe('?watch=true&fieldSelector=metadata.name%3Dweb&allowWatchBookmarks=true&timeoutSeconds=60');
      fake.setStatus(web, { observedGeneration: 0, replicas: 2, availableReplicas: 2 }); // numbers of an older spec
      fake.setStatus(web, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 1 });
      await new Promise((r) => setTimeout(r, 100));
      expect(resolved).toBe(false);
      fake.setStatus(web, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 });
      await waiting;
      await waitFor(async () => (fake.openWatches === 0 ? true : undefined), 5000, 'the watch to close');
    });

    it('waits for a HelmRelease Ready=True and a LoadBalancer address; plain objects are ready once they exist', async () => {
      for (const o of [helmRelease, lbService, configMap('plain')]) await driver.apply(o);
      const waiting = driver.awaitReady([helmRelease, lbService, configMap('plain')].map(refOf), { timeoutMs: 10_000, signal: never() });
      await waitFor(async () => (fake.openWatches === 2 ? true : undefined), 5000, 'two watches');
      fake.setStatus(refOf(helmRelease), { conditions: [{ type: 'Ready', status: 'False', reason: 'Progressing' }] });
      fake.setStatus(refOf(lbService), { loadBalancer: { ingress: [{ hostname: 'lb.example.net' }] } });
      fake.setStatus(refOf(helmRelease), { conditions: [{ type: 'Ready', status: 'True', reason: 'InstallSucceeded' }] });
      await waiting;
    });

    it('sees an object created while it waits', async () => {
      const waiting = driver.awaitReady([refOf(configMap('later'))], { timeoutMs: 10_000, signal: never() });
      await watchOpen();
      await driver.apply(configMap('later'));
      await waiting;
    });

    it('falls back to a GET when the watch ends or the API server fails for a while', async () => {
      const web = refOf(deployment('web', 1));
      await driver.apply(deployment('web', 1));
      fake.failNext(503, { times: 2 });
      const waiting = driver.awaitReady([web], { timeoutMs: 10_000, signal: never() });
      await watchOpen();
      fake.endWatches();
      fake.markReady(web); // no watch open: only the next GET can see it
      await waiting;
      expect(fake.apiRequests.filter((r) => r.method === 'GET' && r.path.endsWith('/deployments/web')).length).toBeGreaterThanOrEqual(4);
    });

    it('times out with a retryable DriverError naming what is not ready, and why', async () => {
      await driver.apply(deployment('web'));
      await driver.apply(helmRelease);
      const error = await caught(driver.awaitReady([refOf(deployment('web')), refOf(helmRelease)], { timeoutMs: 300, signal: never() }));
      expect(error).toBeInstanceOf(DriverError);
      expect(error).toMatchObject({ retryable: true });
      expect((error as Error).message).toContain('apps/v1 Deployment matih-acme/web (the deployment controller has not observed the latest spec yet)');
      expect((error as Error).message).toContain('HelmRelease matih-acme/analytics (its controller has not reported a Ready condition yet)');
      await waitFor(async () => (fake.openWatches === 0 ? true : undefined), 5000, 'the watches to close');
    });

    it('stops with the abort reason, and fails at once on a permanent error', async () => {
      await driver.apply(deployment('web'));
      const controller = new AbortController();
      const waiting = caught(driver.awaitReady([refOf(deployment('web'))], { timeoutMs: 10_000, signal: controller.signal }));
      await watchOpen();
      const reason = new Error('lease lost');
      controller.abort(reason);
      expect(await waiting).toBe(reason);
      expect(await caught(driver.awaitReady([refOf(deployment('web'))], { timeoutMs: 10_000, signal: controller.signal }))).toBe(reason);

      fake.failNext(403, { message: 'deployments.apps "web" is forbidden' });
      const started = Date.now();
      expect(await caught(driver.awaitReady([refOf(deployment('web'))], { timeoutMs: 10_000, signal: never() }))).toMatchObject({ status: 403, retryable: false });
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });

  describe('probe', () => {
    const web: ServiceEndpoint = { namespace: NS, name: 'web', port: 8080 };
    const proxyPath = (target: string, path = '/health') => `/api/v1/namespaces/matih-acme/services/${target}/proxy${path}`;
    const readyDeployment = async (name: string, replicas = 1) => {
      await driver.apply(deployment(name, replicas));
      fake.markReady(refOf(deployment(name, replicas)));
    };

    it('GETs the service proxy with name:port and each path segment encoded, no body, no discovery', async () => {
      await readyDeployment('web');
      fake.requests.length = 0;
      expect(await driver.probe(web, '/health')).toEqual({ healthy: true, status: 200 });
      expect(fake.requests).toEqual([
        {
          method: 'GET',
          path: proxyPath('web:8080'),
          query: {},
          search: '',
          contentType: undefined,
          authorization: `Bearer ${TOKEN}`,
          body: '',
          discovery: false,
        },
      ]);
      await driver.probe({ ...web, port: 'http' }, '/health/ready state/ü%2F/');
      await driver.probe({ ...web, port: '8081' }, '/');
      await makeDriver(fake, { probeScheme: 'https' }).probe({ ...web, port: 'https' }, '/actuator/health');
      expect(fake.requests.slice(1).map((r) => `${r.method} ${r.path}${r.search}`)).toEqual([
        `GET ${proxyPath('web:http', '/health/ready%20state/%C3%BC%252F/')}`,
        `GET ${proxyPath('web:8081', '/')}`,
        `GET ${proxyPath('https:web:https', '/actuator/health')}`,
      ]);
    });

    it('refuses, without a request, endpoints that are not Kubernetes names and paths that could leave the proxy', async () => {
      const refused: [Record<string, unknown>, string][] = [
        [{}, 'health'],
        [{}, ''],
        [{}, '/a/../../../secrets'],
        [{}, '/./health'],
        [{}, '/..'],
        [{}, '/health?verbose=true'],
        [{}, '/health#top'],
        [{ name: 'Web' }, '/health'],
        [{ name: 'web/../x' }, '/health'],
        [{ name: '1web' }, '/health'],
        [{ namespace: '..' }, '/health'],
        [{ namespace: 'a'.repeat(64) }, '/health'],
        [{ port: 0 }, '/health'],
        [{ port: 65536 }, '/health'],
        [{ port: 80.5 }, '/health'],
        [{ port: '' }, '/health'],
        [{ port: 'http_alt' }, '/health'],
        [{ port: 'web:80' }, '/health'],
        [{ port: 'a-very-long-port-name' }, '/health'],
        [{ port: 'no--double' }, '/health'],
      ];
      for (const [change, path] of refused) {
        const error = await caught(driver.probe({ ...web, ...change }, path));
        expect(error, JSON.stringify([change, path])).toBeInstanceOf(DriverError);
        expect(error).toMatchObject({ retryable: false, message: expect.stringMatching(/^probe: /) as string });
      }
      expect(fake.requests).toEqual([]);
    });

    it('a ready Deployment or HelmRelease is healthy; not ready is the proxy\'s 503, absent its 404', async () => {
      await driver.apply(deployment('web', 2));
      expect(await driver.probe(web, '/health')).toEqual({ healthy: false, status: 503, detail: 'no endpoints available for service "web"' });
      fake.setStatus(refOf(deployment('web', 2)), { observedGeneration: 1, replicas: 2, availableReplicas: 1 });
      expect(await driver.probe(web, '/health')).toMatchObject({ healthy: false, status: 503 });
      fake.markReady(refOf(deployment('web', 2)));
      expect(await driver.probe(web, '/health')).toEqual({ healthy: true, status: 200 });

      await driver.apply(helmRelease);
      const analytics = { namespace: NS, name: 'analytics', port: 'http' };
      expect(await driver.probe(analytics, '/health')).toMatchObject({ healthy: false, status: 503 });
      fake.setStatus(refOf(helmRelease), { conditions: [{ type: 'Ready', status: 'False', reason: 'InstallFailed' }] });
      expect(await driver.probe(analytics, '/health')).toMatchObject({ healthy: false, status: 503 });
      fake.markReady(refOf(helmRelease));
      expect(await driver.probe(analytics, '/health')).toEqual({ healthy: true, status: 200 });

      expect(await driver.probe({ ...web, name: 'absent' }, '/health')).toEqual({ healthy: false, status: 404, detail: 'services "absent" not found' });
      expect(await driver.probe({ ...web, namespace: 'elsewhere' }, '/health')).toMatchObject({ healthy: false, status: 404 });
      // A Deployment scaled to zero has no endpoint either.
      await readyDeployment('idle', 0);
      expect(await driver.probe({ ...web, name: 'idle' }, '/health')).toMatchObject({ healthy: false, status: 503 });
    });

    it('the service\'s own answer: any 2xx is healthy and keeps no body; a non-2xx is unhealthy with a short detail', async () => {
      fake.answerNext(204, '');
      expect(await driver.probe(web, '/health')).toEqual({ healthy: true, status: 204 });
      fake.answerNext(200, '{"status":"UP","token":"s3cr3t"}', { contentType: 'application/json' });
      expect(await driver.probe(web, '/health')).toEqual({ healthy: true, status: 200 });

      fake.answerNext(500, `{"status":"DOWN",\n "db":"timeout"}${'x'.repeat(10_000)}`, { contentType: 'application/json' });
      const down = await driver.probe(web, '/health');
      expect(down).toMatchObject({ healthy: false, status: 500, detail: expect.stringMatching(/^\{"status":"DOWN", "db":"timeout"\}x+…$/) as string });
      expect(down.detail).toHaveLength(200);
      for (const [status, body, detail] of [
        [503, 'down for maintenance', 'down for maintenance'],
        [502, '', 'Bad Gateway'],
        [404, '<html>no such page</html>', '<html>no such page</html>'],
        [400, 'address not allowed', 'address not allowed'],
      ] as const) {
        fake.answerNext(status, body, { retryAfter: '30' }); // the service's Retry-After is its own business
        expect(await driver.probe(web, '/health')).toEqual({ healthy: false, status, detail });
      }
      fake.failNext(503, { message: 'error trying to reach service: dial tcp 10.244.1.7:8080: connect: connection refused' });
      expect(await driver.probe(web, '/health')).toEqual({ healthy: false, status: 503, detail: 'error trying to reach service: dial tcp 10.244.1.7:8080: connect: connection refused' });
      fake.answerNext(500, 'Authorization: Bearer abc.def.ghi');
      expect((await driver.probe(web, '/health')).detail).toBe('Authorization: Bearer [redacted]');
    });

    it('401 and 403 are permanent: the credentials, or RBAC without get on services/proxy', async () => {
      const rbac = 'services "web:8080" is forbidden: User "system:serviceaccount:matih:control-plane" cannot get resource "services/proxy" in API group "" in the namespace "matih-acme"';
      fake.failNext(403, { message: rbac });
      const forbidden = await caught(driver.probe(web, '/health'));
      expect(forbidden).toBeInstanceOf(KubeApiError);
      expect(forbidden).toMatchObject({ status: 403, retryable: false });
      expect((forbidden as Error).message).toBe(`probe matih-acme/web:8080/health: 403 Forbidden: ${rbac} (the control plane needs "get" on services/proxy in this namespace)`);

      const unauthorized = await caught(makeDriver(fake, {}, 'wrong-token-123').probe(web, '/health'));
      expect(unauthorized).toMatchObject({ status: 401, retryable: false, message: expect.stringMatching(/^probe matih-acme\/web:8080\/health: 401 Unauthorized/) as string });
      expect(`${(unauthorized as Error).message} ${JSON.stringify(unauthorized)}`).not.toMatch(/wrong-token-123|fake-bearer-token/);

      fake.answerNext(401, 'login required');
      expect(await caught(driver.probe(web, '/health'))).toMatchObject({ status: 401, retryable: false });
    });

    it('429, the API server\'s own 500/504 and a Status asking to retry later are retryable', async () => {
      fake.failNext(429, { message: 'Too many requests, please try again later.', retryAfter: '7' });
      expect(await caught(driver.probe(web, '/health'))).toMatchObject({
        status: 429,
        retryable: true,
        retryAfterSeconds: 7,
        message: 'probe matih-acme/web:8080/health: 429 Too Many Requests: Too many requests, please try again later. (the API server asks to retry after 7 s)',
      });
      fake.answerNext(429, 'slow down');
      expect(await caught(driver.probe(web, '/health'))).toMatchObject({ status: 429, retryable: true });
      for (const status of [500, 504]) {
        fake.failNext(status, { message: 'etcdserver: leader changed' });
        const error = await caught(driver.probe(web, '/health'));
        expect(error).toBeInstanceOf(KubeApiError);
        expect(error).toMatchObject({ status, retryable: true, message: expect.stringContaining('etcdserver: leader changed') as string });
      }
      fake.failNext(503, { message: 'the apiserver is shutting down', retryAfter: '3' });
      expect(await caught(driver.probe(web, '/health'))).toMatchObject({ status: 503, retryable: true, retryAfterSeconds: 3 });
      expect(fake.apiRequests.every((r) => r.path === proxyPath('web:8080'))).toBe(true);
    });

    it('silence, a dropped connection and a refused one are retryable', async () => {
      fake.dropNext();
      expect(await caught(driver.probe(web, '/health'))).toMatchObject({ retryable: true, message: expect.stringContaining('probe matih-acme/web:8080/health: the connection to the API server failed (ECONNRESET)') as string });
      fake.stallNext();
      expect(await caught(makeDriver(fake, { requestTimeoutMs: 200 }).probe(web, '/health'))).toMatchObject({ retryable: true, message: expect.stringContaining('no answer from the API server within 200 ms') as string });
      await fake.close();
      expect(await caught(driver.probe(web, '/health'))).toMatchObject({ retryable: true, message: expect.stringContaining('ECONNREFUSED') as string });
    });

    it('stops with the abort reason: before the request, and while waiting for the answer', async () => {
      const controller = new AbortController();
      const reason = new Error('lease lost');
      controller.abort(reason);
      expect(await caught(driver.probe(web, '/health', controller.signal))).toBe(reason);
      expect(fake.requests).toEqual([]);

      const later = new AbortController();
      fake.stallNext();
      const waiting = caught(driver.probe(web, '/health', later.signal));
      await waitFor(async () => (fake.apiRequests.length === 1 ? true : undefined), 5000, 'the probe request');
      const started = Date.now();
      later.abort(reason);
      expect(await waiting).toBe(reason);
      expect(Date.now() - started).toBeLessThan(1000);
      const plain = new AbortController();
      fake.stallNext();
      const aborted = caught(driver.probe(web, '/health', plain.signal));
      await waitFor(async () => (fake.apiRequests.length === 2 ? true : undefined), 5000, 'the second probe request');
      plain.abort();
      expect(await aborted).toMatchObject({ name: 'AbortError' });
    });
  });
});

describe('kubeconfig', () => {
  it('loads a kubeconfig file and reaches the server it names', async () => {
    const fake = await FakeKubeApi.start({ token: TOKEN });
    const dir = await mkdtemp(join(tmpdir(), 'kubeconfig-'));
    try {
      const file = join(dir, 'config');
      await writeFile(
        file,
        `apiVersion: v1\nkind: Config\ncurrent-context: fake\nclusters:\n- name: fake\n  cluster:\n    server: ${fake.url}\n    insecure-skip-tls-verify: true\n` +
          `contexts:\n- name: fake\n  context: {cluster: fake, user: ops}\nusers:\n- name: ops\n  user:\n    token: ${TOKEN}\n`,
      );
      const driver = new KubernetesClusterDriver({ kubeConfig: { kind: 'file', path: file } });
      await driver.apply(configMap('from-file'));
      expect(fake.apiRequests[0]?.authorization).toBe(`Bearer ${TOKEN}`);

      // A YAML error quotes the lines around it; the message must not carry the token on them.
      await writeFile(file, `users:\n- name: ops\n  user:\n    token: ${TOKEN}\n    bad: [unclosed\n`);
      const error = await caught(Promise.resolve().then(() => loadKubeConfig({ kind: 'file', path: file })));
      expect(error).toMatchObject({ retryable: false, message: expect.stringContaining(file) as string });
      expect((error as Error).message).not.toContain(TOKEN);
    } finally {
      await fake.close();
      await rm(dir, { recursive: true });
    }
  });

  // Which source (KUBECONFIG, else in-cluster) is the configuration's choice: test/config/load-config.test.ts.
  it('refuses plain HTTP without skip-TLS', () => {
    expect(() => loadKubeConfig({ kind: 'direct', server: 'http://127.0.0.1:1', token: TOKEN })).toThrow(/plain HTTP/);
  });
});

describeClusterDriverContract('KubernetesClusterDriver against the HTTP fake', async () => {
  const fake = await FakeKubeApi.start({ token: TOKEN });
  return { driver: makeDriver(fake), makeReady: async (ref) => fake.markReady(ref), close: () => fake.close() };
});
