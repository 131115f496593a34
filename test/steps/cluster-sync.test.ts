import { describe, expect, it } from 'vitest';
import { DriverError } from '../../src/drivers/contract.js';
import type { ClusterDriver, KubeObject, ObjectRef } from '../../src/drivers/contract.js';
import { syncObjects } from '../../src/steps/support/cluster-sync.js';

/**
 * How a step's objects reach the cluster (steps/support/cluster-sync.ts): a namespace before
 * anything, the rest at once, and a failed apply fails the step only after every apply it
 * started has answered. A cluster driver that records when each apply starts and ends.
 */
function recordingCluster(options: { failing?: string; applyMs?: number } = {}) {
  const events: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const driver = {
    list: async () => [],
    apply: async (object: KubeObject) => {
      events.push(`start ${object.kind}/${object.metadata.name}`);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, options.applyMs ?? 20));
      inFlight--;
      events.push(`end ${object.kind}/${object.metadata.name}`);
      if (object.metadata.name === options.failing) throw new DriverError(`apply ${object.metadata.name}: refused`, true);
      return object;
    },
    delete: async () => undefined,
    awaitReady: async (refs: readonly ObjectRef[]) => {
      events.push(`awaitReady ${refs.length}`);
    },
  } as unknown as ClusterDriver; // the verbs a sync uses; the others are never called here
  return { driver, events, maxInFlight: () => maxInFlight };
}

const labels = { 'matih.io/tenant': 't1', 'matih.io/step': 'CREATE_NAMESPACE' };
const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'matih-t1', labels } };
const inNamespace = (kind: string, name: string): KubeObject => ({
  apiVersion: kind === 'ConfigMap' ? 'v1' : 'rbac.authorization.k8s.io/v1',
  kind,
  metadata: { name, namespace: 'matih-t1', labels },
});
const declared = [inNamespace('ConfigMap', 'settings'), namespace, inNamespace('Role', 'tenant-admin'), inNamespace('RoleBinding', 'tenant-admin')];
const options = () => ({
  signal: new AbortController().signal,
  readyTimeoutMs: 1_000,
  owner: labels,
  kinds: [{ apiVersion: 'v1', kind: 'ConfigMap' }],
  namespace: 'matih-t1',
});

describe('syncing a step\'s objects to the cluster', () => {
  it('applies the namespace first, then the objects in it at once, and reports them in declaration order', async () => {
    const cluster = recordingCluster();
    const result = await syncObjects(cluster.driver, declared, options());
    expect(cluster.events[0]).toBe('start Namespace/matih-t1');
    expect(cluster.events[1]).toBe('end Namespace/matih-t1');
    expect(cluster.events.slice(2, 5).every((e) => e.startsWith('start '))).toBe(true);
    expect(cluster.maxInFlight()).toBe(3);
    expect(cluster.events.at(-1)).toBe('awaitReady 4');
    expect(result.applied).toEqual(['ConfigMap/settings', 'Namespace/matih-t1', 'Role/tenant-admin', 'RoleBinding/tenant-admin']);
  });

  it('fails with the first failure only once every apply it started has answered, and waits for nothing', async () => {
    const cluster = recordingCluster({ failing: 'settings' });
    await expect(syncObjects(cluster.driver, declared, options())).rejects.toThrow('apply settings: refused');
    expect(cluster.events.filter((e) => e.startsWith('end '))).toHaveLength(4);
    expect(cluster.events.some((e) => e.startsWith('awaitReady'))).toBe(false);
  });
});
