import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DriverError, type KubeObject, type ObjectRef } from '../../src/drivers/contract.js';
import { readinessOf } from '../../src/drivers/kubernetes/readiness.js';
import { type ReadyCheck, pollUntilReady } from '../../src/drivers/simulated/sim-await-ready.js';
import { SimulatedCluster, type SimulatedClusterOptions } from '../../src/drivers/simulated/simulated-cluster.js';
import { type Database, openDatabase } from '../../src/store/open-database.js';
import { simObjectStore } from '../../src/store/sim/sim-objects.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import { describeClusterDriverContract } from './cluster-contract.js';

/** Long enough that nothing becomes ready by itself during a test: readiness comes from markReady. */
const NEVER_BY_ITSELF_MS = 3_600_000;

const refOf = (o: KubeObject): ObjectRef => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) });
const never = () => new AbortController().signal;
const caught = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

const deployment = (name: string, namespace: string, replicas = 3): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace, labels: { app: name } },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'nginx:1.27' }] } } },
});
const helmRelease = (name: string, namespace: string): KubeObject => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name, namespace },
  spec: { interval: '10m', chart: { spec: { chart: name, sourceRef: { kind: 'HelmRepository', name: 'matih' } } } },
});
const statefulSet = (name: string, namespace: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, namespace },
  spec: { replicas: 2, serviceName: name, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'postgres:16' }] } } },
});
const service = (name: string, namespace: string, type = 'LoadBalancer'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { type, selector: { app: name }, ports: [{ port: 443 }] },
});
const configMap = (name: string, namespace: string, data: Record<string, string> = { a: '1' }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, labels: { 'matih.ai/step': 'test' } },
  data,
});
const namespaceObject = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

describe('SimulatedCluster', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });
  const makeCluster = (options: Partial<SimulatedClusterOptions> = {}, db: Database = database) =>
    new SimulatedCluster(simObjectStore(db.db), { delayMs: NEVER_BY_ITSELF_MS, ...options });

  describeClusterDriverContract('SimulatedCluster', async () => {
    const driver = makeCluster();
    return { driver, makeReady: (ref) => driver.markReady(ref), close: async () => undefined };
  });

  describe('beyond the contract', () => {
    let ns: string;
    beforeEach(() => {
      ns = `sim-${randomBytes(4).toString('hex')}`;
    });

    it('keeps its objects in the database: another instance (another process) sees them as they were', async () => {
      const first = makeCluster();
      const web = await first.apply(deployment('web', ns));
      await first.apply(configMap('settings', ns));

      // A second connection pool, as a restarted process or another replica has.
      const reopened = openDatabase({ kind: 'external', url: database.url, poolSize: 2 });
      try {
        const second = makeCluster({}, reopened);
        const again = await second.get(refOf(web));
        expect(again?.metadata).toMatchObject({ uid: web.metadata.uid, resourceVersion: web.metadata.resourceVersion, generation: 1, creationTimestamp: web.metadata.creationTimestamp });
        expect(await second.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: ns })).toMatchObject({ data: { a: '1' } });
        // Readiness is stored too: one instance marks it, the other sees it.
        await first.markReady(refOf(web));
        await second.awaitReady([refOf(web)], { timeoutMs: 2000, signal: never() });
        expect(readinessOf(await second.get(refOf(web))).ready).toBe(true);
      } finally {
        await reopened.close();
      }
    });

    it('makes workloads ready delayMs after they were applied, waking awaitReady right then', async () => {
      // A poll interval far beyond the delay: only waking at ready_at can end the wait in time.
      const cluster = makeCluster({ delayMs: 300, pollMs: 60_000 });
      const objects = [deployment('web', ns), statefulSet('db', ns), helmRelease('analytics', ns), service('ingress', ns)];
      const started = Date.now();
      for (const o of objects) await cluster.apply(o);
      // readiness.ts has no rule for StatefulSets (ready once they exist); the sim still rolls them out.
      const judged = objects.filter((o) => o.kind !== 'StatefulSet');
      for (const o of judged) expect(readinessOf(await cluster.get(refOf(o))).ready).toBe(false);
      expect((await cluster.get(refOf(objects[1] as KubeObject)))?.status).toMatchObject({ readyReplicas: 0 });

      await cluster.awaitReady(objects.map(refOf), { timeoutMs: 5000, signal: never() });
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(300);
      expect(took).toBeLessThan(2000);
      for (const o of judged) expect(readinessOf(await cluster.get(refOf(o))).ready).toBe(true);
      expect((await cluster.get(refOf(objects[1] as KubeObject)))?.status).toMatchObject({ readyReplicas: 2 });
      expect((await cluster.get(refOf(objects[0] as KubeObject)))?.status).toEqual({ observedGeneration: 1, replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3 });
    });

    it('shows the status a controller would write, which readiness.ts of the real driver judges as the sim does', async () => {
      const cluster = makeCluster();
      const web = await cluster.apply(deployment('web', ns, 2));
      expect(web.status).toEqual({ observedGeneration: 0, replicas: 0, readyReplicas: 0, availableReplicas: 0, updatedReplicas: 0 });
      const release = await cluster.apply(helmRelease('analytics', ns));
      expect(release.status).toMatchObject({ conditions: [{ type: 'Ready', status: 'Unknown', reason: 'Progressing' }] });
      const lb = await cluster.apply(service('ingress', ns));
      expect(lb.status).toEqual({ loadBalancer: {} });
      for (const o of [web, release, lb]) expect(readinessOf(o).ready).toBe(false);

      for (const o of [web, release, lb]) await cluster.markReady(refOf(o));
      const readyWeb = await cluster.get(refOf(web));
      expect(readyWeb?.status).toEqual({ observedGeneration: 1, replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2 });
      const readyRelease = await cluster.get(refOf(release));
      expect(readyRelease?.status).toMatchObject({
        observedGeneration: 1,
        conditions: [{ type: 'Ready', status: 'True', reason: 'InstallSucceeded', message: expect.any(String) as string, lastTransitionTime: expect.stringMatching(/Z$/) as string }],
      });
      expect((await cluster.get(refOf(lb)))?.status).toEqual({ loadBalancer: { ingress: [{ ip: expect.stringMatching(/^10\.240\.0\./) as string }] } });
      for (const o of [web, release, lb]) expect(readinessOf(await cluster.get(refOf(o))).ready).toBe(true);

      // Kinds whose controller reports Ready (readiness.ts waits for it) are ready once they exist.
      const repo: KubeObject = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'matih', namespace: ns }, spec: { url: 'https://charts.example' } };
      expect(readinessOf(await cluster.apply(repo)).ready).toBe(true);
      await cluster.awaitReady([refOf(repo)], { timeoutMs: 1000, signal: never() });
      expect((await cluster.apply(namespaceObject(ns))).status).toEqual({ phase: 'Active' });
    });

    it('bumps generation (and restarts the rollout) only when something outside metadata changes', async () => {
      const cluster = makeCluster();
      const web = deployment('web', ns);
      const first = await cluster.apply(web);
      await cluster.markReady(refOf(web));

      const relabelled = await cluster.apply({ ...web, metadata: { ...web.metadata, labels: { app: 'web', tier: 'front' }, annotations: { note: 'x' } } });
      expect(relabelled.metadata.generation).toBe(1);
      expect(relabelled.metadata.resourceVersion).not.toBe(first.metadata.resourceVersion);
      expect(readinessOf(relabelled).ready).toBe(true);

      const scaled = await cluster.apply({ ...web, spec: { ...(web.spec as object), replicas: 5 } });
      expect(scaled.metadata.generation).toBe(2);
      expect(scaled.metadata.uid).toBe(first.metadata.uid);
      expect(scaled.metadata.creationTimestamp).toBe(first.metadata.creationTimestamp);
      expect(readinessOf(scaled).ready).toBe(false);
    });

    it('counts every apply in apply_count; an identical apply changes nothing else, even one of a read-back object', async () => {
      const cluster = makeCluster();
      const cm = configMap('settings', ns);
      const first = await cluster.apply(cm);
      await cluster.apply(cm);
      // What get returns (status, uid, resourceVersion...) applied back is the same declaration.
      const readBack = await cluster.apply((await cluster.get(refOf(cm))) as KubeObject);
      expect(await cluster.applyCount(refOf(cm))).toBe(3);
      expect(readBack.metadata).toEqual(first.metadata);

      const changed = await cluster.apply(configMap('settings', ns, { a: '2' }));
      expect(await cluster.applyCount(refOf(cm))).toBe(4);
      expect(Number(changed.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
      expect(await cluster.applyCount({ ...refOf(cm), name: 'absent' })).toBe(0);
    });

    it('stores what was declared: status and server metadata sent in an apply are ignored', async () => {
      const cluster = makeCluster();
      const stored = await cluster.apply({
        ...configMap('declared', ns),
        metadata: { ...configMap('declared', ns).metadata, uid: 'forged', resourceVersion: '1', generation: 99, managedFields: [] },
        status: { forged: true },
      });
      expect(stored.status).toBeUndefined();
      expect(stored.metadata.uid).not.toBe('forged');
      expect(stored.metadata.generation).toBe(1);
      expect(stored.metadata).not.toHaveProperty('managedFields');
      expect(Object.keys((await cluster.listAll(ns))[0]?.metadata ?? {}).sort()).toEqual(['creationTimestamp', 'generation', 'labels', 'name', 'namespace', 'resourceVersion', 'uid']);
    });

    it('refuses, permanently, objects without apiVersion, kind or name, and a namespaced kind without namespace', async () => {
      const cluster = makeCluster();
      const refusals = [
        { kind: 'ConfigMap', metadata: { name: 'x', namespace: ns } },
        { apiVersion: 'v1', metadata: { name: 'x', namespace: ns } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: ns } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', namespace: '' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_A_Name', namespace: ns } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: ns, labels: { 'bad key!': 'v' } } },
      ];
      for (const object of refusals) {
        const error = await caught(cluster.apply(object as unknown as KubeObject));
        expect(error, JSON.stringify(object)).toBeInstanceOf(DriverError);
        expect((error as DriverError).retryable).toBe(false);
      }
      expect(await caught(cluster.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }))).toMatchObject({ message: expect.stringContaining('namespaced') as string });
      expect(await cluster.listAll(ns)).toEqual([]);

      // A kind the sim does not know is cluster-scoped when given no namespace; a Namespace ignores one.
      const crd = await cluster.apply({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: `w-${ns}` } });
      expect(crd.metadata.namespace).toBeUndefined();
      const namespace = await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, namespace: 'ignored' } });
      expect(namespace.metadata.namespace).toBeUndefined();
      expect(await cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: ns })).toBeDefined();
      await cluster.delete(refOf(crd));
      await cluster.delete(refOf(namespace));
    });

    it('deleting a Namespace deletes everything in it, and only that', async () => {
      const cluster = makeCluster();
      const other = `${ns}-other`;
      await cluster.apply(namespaceObject(ns));
      await cluster.apply(namespaceObject(other));
      for (const n of [ns, other]) {
        await cluster.apply(configMap('settings', n));
        await cluster.apply(deployment('web', n));
        await cluster.apply(service('ingress', n));
      }
      expect(await cluster.listAll(ns)).toHaveLength(3);

      expect(await cluster.remove({ apiVersion: 'v1', kind: 'Namespace', name: ns })).toBe(true);
      expect(await cluster.listAll(ns)).toEqual([]);
      expect(await cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: ns })).toBeUndefined();
      expect(await cluster.listAll(other)).toHaveLength(3);
      expect(await cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: other })).toBeDefined();
      expect(await cluster.remove({ apiVersion: 'v1', kind: 'Namespace', name: ns })).toBe(false);

      // Objects in a namespace that has no Namespace object go with it too.
      await cluster.delete({ apiVersion: 'v1', kind: 'Namespace', name: other });
      await cluster.apply(configMap('orphan', other));
      await cluster.delete({ apiVersion: 'v1', kind: 'Namespace', name: other });
      expect(await cluster.listAll(other)).toEqual([]);
    });

    it('gives LoadBalancer Services the next free address of the pool, stable per object, and none when the pool is used up', async () => {
      const pool = ['10.99.0.1', '10.99.0.2'];
      const cluster = makeCluster({ delayMs: 0, loadBalancerIps: pool });
      const ipOf = async (name: string) => {
        const ingress = ((await cluster.get({ apiVersion: 'v1', kind: 'Service', name, namespace: ns }))?.status as { loadBalancer?: { ingress?: { ip: string }[] } } | undefined)?.loadBalancer?.ingress;
        return ingress?.[0]?.ip;
      };
      await cluster.apply(service('a', ns));
      await cluster.apply(service('b', ns));
      await cluster.apply(service('internal', ns, 'ClusterIP'));
      expect([await ipOf('a'), await ipOf('b'), await ipOf('internal')]).toEqual(['10.99.0.1', '10.99.0.2', undefined]);
      await cluster.awaitReady([{ apiVersion: 'v1', kind: 'Service', name: 'internal', namespace: ns }], { timeoutMs: 1000, signal: never() });

      // Re-applied, changed or not: the same address.
      await cluster.apply(service('a', ns));
      await cluster.apply({ ...service('a', ns), spec: { type: 'LoadBalancer', ports: [{ port: 8443 }] } });
      await cluster.markReady({ apiVersion: 'v1', kind: 'Service', name: 'a', namespace: ns });
      expect(await ipOf('a')).toBe('10.99.0.1');

      // The pool is used up: the third stays pending, and says why.
      await cluster.apply(service('c', ns));
      expect(await ipOf('c')).toBeUndefined();
      const error = await caught(cluster.awaitReady([{ apiVersion: 'v1', kind: 'Service', name: 'c', namespace: ns }], { timeoutMs: 200, signal: never() }));
      expect(error).toMatchObject({ retryable: true, message: expect.stringContaining('pool') as string });

      // An address freed (a deleted, b no longer a load balancer) goes to the next one that asks.
      await cluster.delete({ apiVersion: 'v1', kind: 'Service', name: 'a', namespace: ns });
      await cluster.apply(service('b', ns, 'ClusterIP'));
      await cluster.apply(service('c', ns));
      expect(await ipOf('c')).toBe('10.99.0.1');
      await cluster.apply(service('b', ns));
      expect(await ipOf('b')).toBe('10.99.0.2');
      await cluster.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    });

    it('hands concurrent load balancers distinct addresses', async () => {
      const pool = Array.from({ length: 10 }, (_, i) => `10.98.0.${i + 1}`);
      const clusters = [makeCluster({ delayMs: 0, loadBalancerIps: pool }), makeCluster({ delayMs: 0, loadBalancerIps: pool })];
      const names = Array.from({ length: 6 }, (_, i) => `lb-${i}`);
      await Promise.all(names.map((name, i) => (clusters[i % 2] as SimulatedCluster).apply(service(name, ns))));
      const ips = (await clusters[0]?.listAll(ns, 'Service'))?.map((s) => (s.status as { loadBalancer: { ingress: { ip: string }[] } }).loadBalancer.ingress[0]?.ip);
      expect(ips).toHaveLength(6);
      expect(new Set(ips).size).toBe(6);
      await clusters[0]?.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    });

    it('counts concurrent applies of one object exactly, generation once per change', async () => {
      const clusters = [makeCluster(), makeCluster(), makeCluster()];
      const cm = configMap('contended', ns);
      await Promise.all(Array.from({ length: 9 }, (_, i) => (clusters[i % 3] as SimulatedCluster).apply(cm)));
      expect(await clusters[0]?.applyCount(refOf(cm))).toBe(9);
      expect((await clusters[0]?.get(refOf(cm)))?.metadata.generation).toBe(1);
    });

    it('awaitReady waits for an absent object, and names it when the time is up', async () => {
      const cluster = makeCluster({ delayMs: 0 });
      const web = deployment('late', ns);
      const waiting = cluster.awaitReady([refOf(web)], { timeoutMs: 5000, signal: never() });
      await new Promise((resolve) => setTimeout(resolve, 150));
      await cluster.apply(web);
      await expect(waiting).resolves.toBeUndefined();

      const error = await caught(cluster.awaitReady([{ ...refOf(web), name: 'ghost' }], { timeoutMs: 150, signal: never() }));
      expect(error).toMatchObject({ retryable: true, message: expect.stringMatching(/ghost \(does not exist\)/) as string });
      await expect(cluster.awaitReady([], { timeoutMs: 10, signal: never() })).resolves.toBeUndefined();
    });

    it('configure changes the delay of later applies while running', async () => {
      const cluster = makeCluster();
      await cluster.apply(deployment('slow', ns));
      cluster.configure({ delayMs: 0 });
      await cluster.apply(deployment('quick', ns));
      expect(readinessOf(await cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'quick', namespace: ns })).ready).toBe(true);
      expect(readinessOf(await cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'slow', namespace: ns })).ready).toBe(false);
    });

    it('probe: a ready HelmRelease serves too; an aborted signal stops it; markReady of nothing is an error', async () => {
      const cluster = makeCluster();
      const release = await cluster.apply(helmRelease('analytics', ns));
      const endpoint = { namespace: ns, name: 'analytics', port: 80 };
      expect(await cluster.probe(endpoint, '/health')).toEqual({ healthy: false, status: 503, detail: 'no ready endpoints' });
      await cluster.markReady(refOf(release));
      expect(await cluster.probe(endpoint, '/health')).toEqual({ healthy: true, status: 200 });
      expect(await cluster.probe({ ...endpoint, name: 'absent' }, '/health')).toMatchObject({ healthy: false, status: 404 });

      const controller = new AbortController();
      const reason = new Error('step aborted');
      controller.abort(reason);
      await expect(cluster.probe(endpoint, '/health', controller.signal)).rejects.toBe(reason);
      await expect(cluster.markReady({ ...refOf(release), name: 'absent' })).rejects.toBeInstanceOf(DriverError);
    });

    it('listAll and remove serve the inspection API: every kind, by namespace and kind; remove says whether it existed', async () => {
      const cluster = makeCluster();
      await cluster.apply(configMap('settings', ns));
      await cluster.apply(deployment('web', ns));
      await cluster.apply(configMap('settings', `${ns}-b`));
      expect((await cluster.listAll(ns)).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ConfigMap/settings', 'Deployment/web']);
      expect((await cluster.listAll(undefined, 'ConfigMap')).filter((o) => o.metadata.namespace?.startsWith(ns)).map((o) => o.metadata.namespace)).toEqual([ns, `${ns}-b`]);
      expect(await cluster.listAll(ns, 'Deployment')).toEqual([expect.objectContaining({ apiVersion: 'apps/v1', kind: 'Deployment' })]);
      expect(await cluster.remove({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: ns })).toBe(true);
      expect(await cluster.remove({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: ns })).toBe(false);
    });
  });
});

describe('pollUntilReady (the wait loop of the simulated cluster)', () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const pending = (reason = 'pending'): ReadyCheck => ({ notReady: new Map([['apps/v1 Deployment ns/web', reason]]), nextReadyAt: undefined });
  const done: ReadyCheck = { notReady: new Map(), nextReadyAt: undefined };

  it('leaves no timer behind when it resolves, times out or is aborted', async () => {
    // Counted around each wait: a timer of someone else may end meanwhile, so "no more than before".
    const leftBehind = async (wait: () => Promise<unknown>) => {
      const before = timers();
      await wait();
      return timers() - before;
    };
    let calls = 0;
    expect(await leftBehind(() => pollUntilReady(async () => (++calls < 3 ? pending() : done), { timeoutMs: 5000, signal: never() }, 10))).toBeLessThanOrEqual(0);
    expect(calls).toBe(3);

    let timedOut: unknown;
    expect(await leftBehind(async () => (timedOut = await caught(pollUntilReady(async () => pending('0 of 2 replicas available'), { timeoutMs: 60, signal: never() }, 10)))))
      .toBeLessThanOrEqual(0);
    expect(timedOut).toMatchObject({ retryable: true, message: expect.stringContaining('apps/v1 Deployment ns/web (0 of 2 replicas available)') as string });

    const controller = new AbortController();
    const reason = new Error('lease lost');
    let aborted: unknown;
    expect(
      await leftBehind(async () => {
        setTimeout(() => controller.abort(reason), 30);
        aborted = await caught(pollUntilReady(async () => pending(), { timeoutMs: 5000, signal: controller.signal }, 1000));
      }),
    ).toBeLessThanOrEqual(0);
    expect(aborted).toBe(reason);
  });

  it('rejects at once with the reason of a signal already aborted, without checking', async () => {
    const controller = new AbortController();
    const reason = new Error('already gone');
    controller.abort(reason);
    let checked = false;
    await expect(
      pollUntilReady(
        async () => {
          checked = true;
          return done;
        },
        { timeoutMs: 1000, signal: controller.signal },
        10,
      ),
    ).rejects.toBe(reason);
    expect(checked).toBe(false);
  });

  it('wakes at nextReadyAt rather than a poll later', async () => {
    const readyAt = Date.now() + 120;
    const started = Date.now();
    let polls = 0;
    await pollUntilReady(
      async () => {
        polls++;
        return Date.now() >= readyAt ? done : { notReady: new Map([['x', 'rolling out']]), nextReadyAt: readyAt };
      },
      { timeoutMs: 5000, signal: never() },
      60_000,
    );
    expect(Date.now() - started).toBeLessThan(1000);
    expect(polls).toBeLessThanOrEqual(3);
  });
});
