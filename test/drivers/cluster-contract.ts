import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ClusterDriver, DriverError, type KubeObject, type ObjectRef } from '../../src/drivers/contract.js';

export interface ClusterDriverHarness {
  driver: ClusterDriver;
  /**
   * Makes one object ready as its controller would: a Deployment rolled out, a HelmRelease
   * Ready=True, a LoadBalancer Service addressed. Objects must not become ready on their own
   * within a second (the timeout test needs a Deployment that stays unready).
   */
  makeReady(ref: ObjectRef): Promise<void>;
  close(): Promise<void>;
}

/**
 * What every ClusterDriver does, whatever is behind it (the real driver against an API server,
 * the simulated cluster): idempotent apply, reads, label selection, deletes, readiness. Each
 * test gets a fresh harness and its own namespaces, so it also runs against a real cluster.
 */
export function describeClusterDriverContract(name: string, makeDriver: () => Promise<ClusterDriverHarness>): void {
  describe(`ClusterDriver contract: ${name}`, () => {
    let harness: ClusterDriverHarness;
    let driver: ClusterDriver;
    let ns: string;
    let otherNs: string;

    beforeEach(async () => {
      harness = await makeDriver();
      driver = harness.driver;
      const suffix = randomBytes(4).toString('hex');
      ns = `contract-${suffix}`;
      otherNs = `contract-${suffix}-b`;
      for (const n of [ns, otherNs]) await driver.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } });
    });
    afterEach(async () => {
      for (const n of [ns, otherNs]) await driver.delete({ apiVersion: 'v1', kind: 'Namespace', name: n }).catch(() => undefined);
      await harness.close();
    });

    const configMap = (name: string, namespace: string, labels: Record<string, string>, data: Record<string, string> = { key: 'value' }): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace, labels },
      data,
    });
    const deployment = (name: string, namespace: string, replicas = 2): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels: { app: name } },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } },
      },
    });
    const ref = (o: KubeObject): ObjectRef => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) });
    const names = (objects: KubeObject[]) => objects.map((o) => o.metadata.name).sort();
    const owner = (tenant: string, step: string) => ({ 'matih.ai/tenant-id': tenant, 'matih.ai/step': step });

    it('apply creates the object and returns it as stored; applying it again changes nothing more', async () => {
      const cm = configMap('settings', ns, owner('t1', 'deploy-secrets'));
      const first = await driver.apply(cm);
      expect(first).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns, labels: cm.metadata.labels }, data: { key: 'value' } });
      const second = await driver.apply(cm);
      expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
      expect(names(await driver.list({ apiVersion: 'v1', kind: 'ConfigMap' }, owner('t1', 'deploy-secrets'), ns))).toEqual(['settings']);
    });

    it('get returns what was applied, and apply updates the declared fields', async () => {
      const cm = configMap('settings', ns, owner('t1', 'deploy-secrets'));
      await driver.apply(cm);
      expect(await driver.get(ref(cm))).toMatchObject({ metadata: { name: 'settings', namespace: ns, labels: cm.metadata.labels }, data: { key: 'value' } });
      await driver.apply({ ...cm, data: { key: 'changed' } });
      expect((await driver.get(ref(cm)))?.data).toEqual({ key: 'changed' });
    });

    it('observe says absent, up to date, or drifted, and server-added fields are not drift', async () => {
      const cm = configMap('observed', ns, owner('t1', 's1'));
      expect(await driver.observe(cm)).toEqual({ exists: false, upToDate: false });
      await driver.apply(cm);
      // The stored object has more than we declared (uid, resourceVersion, ...): still up to date.
      const seen = await driver.observe(cm);
      expect(seen).toMatchObject({ exists: true, upToDate: true, actual: { metadata: { name: 'observed', namespace: ns } } });
      expect(seen.actual?.metadata.uid).toEqual(expect.any(String));
      // A declared field with another value, or a label we declare that is missing, is drift.
      expect(await driver.observe({ ...cm, data: { key: 'other' } })).toMatchObject({ exists: true, upToDate: false });
      expect(await driver.observe(configMap('observed', ns, { ...owner('t1', 's1'), extra: 'x' }))).toMatchObject({ exists: true, upToDate: false });
      // So is a field changed behind our back; applying the declaration again repairs it.
      await driver.apply({ ...cm, data: { key: 'edited by someone' } });
      expect((await driver.observe(cm)).upToDate).toBe(false);
      await driver.apply(cm);
      expect((await driver.observe(cm)).upToDate).toBe(true);
    });

    it('get of an absent object is undefined', async () => {
      expect(await driver.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'absent', namespace: ns })).toBeUndefined();
      expect(await driver.get({ apiVersion: 'v1', kind: 'Namespace', name: `${ns}-absent` })).toBeUndefined();
    });

    it('list returns exactly the objects carrying every label, with apiVersion and kind', async () => {
      await driver.apply(configMap('a', ns, owner('t1', 's1')));
      await driver.apply(configMap('b', ns, owner('t1', 's2')));
      await driver.apply(configMap('c', ns, owner('t2', 's1')));
      await driver.apply(configMap('d', otherNs, owner('t1', 's1')));
      const kind = { apiVersion: 'v1', kind: 'ConfigMap' };

      expect(names(await driver.list(kind, { 'matih.ai/tenant-id': 't1' }, ns))).toEqual(['a', 'b']);
      expect(names(await driver.list(kind, owner('t1', 's1'), ns))).toEqual(['a']);
      expect(names(await driver.list(kind, owner('t1', 's1')))).toEqual(['a', 'd']);
      expect(await driver.list(kind, { 'matih.ai/tenant-id': 'nobody' }, ns)).toEqual([]);
      const [a] = await driver.list(kind, owner('t1', 's2'), ns);
      expect(a).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: ns } });
    });

    it('delete removes the object, and deleting an absent object succeeds', async () => {
      const cm = configMap('doomed', ns, owner('t1', 's1'));
      await driver.apply(cm);
      await driver.delete(ref(cm));
      expect(await driver.get(ref(cm))).toBeUndefined();
      await expect(driver.delete(ref(cm))).resolves.toBeUndefined();
      await expect(driver.delete({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'never-was', namespace: ns })).resolves.toBeUndefined();
    });

    it('awaitReady resolves once every object is ready, including one made ready while waiting', async () => {
      const cm = configMap('plain', ns, owner('t1', 's1'));
      const web = deployment('web', ns);
      await driver.apply(cm);
      await driver.apply(web);
      const signal = new AbortController().signal;
      const waiting = driver.awaitReady([ref(cm), ref(web)], { timeoutMs: 10_000, signal });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await harness.makeReady(ref(web));
      await expect(waiting).resolves.toBeUndefined();
      // Already ready: resolves again, at once.
      await driver.awaitReady([ref(cm), ref(web)], { timeoutMs: 2000, signal });
    });

    it('awaitReady fails with a retryable DriverError naming what is not ready after the timeout', async () => {
      const web = deployment('stuck', ns);
      await driver.apply(web);
      const error = await driver.awaitReady([ref(web)], { timeoutMs: 300, signal: new AbortController().signal }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DriverError);
      expect((error as DriverError).retryable).toBe(true);
      expect((error as DriverError).message).toContain('stuck');
    });

    it('awaitReady stops with the abort reason when the signal aborts', async () => {
      const web = deployment('aborted', ns);
      await driver.apply(web);
      const controller = new AbortController();
      const reason = new Error('lease lost');
      const waiting = driver.awaitReady([ref(web)], { timeoutMs: 10_000, signal: controller.signal });
      setTimeout(() => controller.abort(reason), 50);
      await expect(waiting).rejects.toBe(reason);
    });

    // probe: healthy (200) exactly when a ready Deployment (or HelmRelease) of the Service's name
    // runs in its namespace; the proxy answers 503 while none is ready, and 404 or 503 with none.
    const service = (name: string, namespace: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels: { app: name } },
      spec: { selector: { app: name }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] },
    });

    it('probe is not healthy for a service with nothing behind it', async () => {
      const result = await driver.probe({ namespace: ns, name: 'nobody-home', port: 8080 }, '/health');
      expect(result.healthy).toBe(false);
      expect([404, 503]).toContain(result.status);
    });

    it('probe answers 503 while the Deployment is not ready, then 200 once it is', async () => {
      const web = deployment('probed', ns);
      await driver.apply(service('probed', ns));
      await driver.apply(web);
      const endpoint = { namespace: ns, name: 'probed', port: 8080 };
      expect(await driver.probe(endpoint, '/health')).toMatchObject({ healthy: false, status: 503 });
      await harness.makeReady(ref(web));
      expect(await driver.probe(endpoint, '/health')).toMatchObject({ healthy: true, status: 200 });
      // By port name as well as number.
      expect(await driver.probe({ ...endpoint, port: 'http' }, '/health')).toMatchObject({ healthy: true, status: 200 });
    });

    it('probe looks in the endpoint\'s namespace only', async () => {
      const web = deployment('elsewhere', otherNs);
      await driver.apply(service('elsewhere', otherNs));
      await driver.apply(web);
      await harness.makeReady(ref(web));
      expect(await driver.probe({ namespace: otherNs, name: 'elsewhere', port: 8080 }, '/health')).toMatchObject({ healthy: true, status: 200 });
      const here = await driver.probe({ namespace: ns, name: 'elsewhere', port: 8080 }, '/health');
      expect(here.healthy).toBe(false);
      expect([404, 503]).toContain(here.status);
    });
  });
}
