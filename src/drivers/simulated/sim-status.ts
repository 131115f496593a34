import type { KubeObject } from '../contract.js';
import type { SimObjectRecord } from '../../shared/simulated-cluster-store.js';
import { isSimReady, workloadOf } from './sim-readiness.js';

/**
 * The objects as a reader sees them: the declaration, the server's metadata, and the `status` a
 * controller would have written by now, made up on every read from ready_at. Nothing in the sim
 * writes status: there are no controllers, no pods, no ReplicaSets.
 */
export function materialise(record: SimObjectRecord, now: number, apiVersion: string = record.apiVersion): KubeObject {
  const { apiVersion: _a, kind: _k, metadata, status: _s, ...rest } = record.object;
  const status = statusOf(record, now);
  return {
    apiVersion,
    kind: record.kind,
    metadata: {
      ...(metadata as KubeObject['metadata']),
      name: record.name,
      ...(record.namespace ? { namespace: record.namespace } : {}),
      uid: record.uid,
      resourceVersion: record.resourceVersion,
      generation: record.generation,
      // The API server's timestamps have whole seconds.
      creationTimestamp: record.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
    ...rest,
    ...(status ? { status } : {}),
  };
}

/**
 * Kinds that report a Ready condition but have no rollout in the sim: ready once they exist, with
 * the condition their controller would have set (readiness.ts waits for it).
 */
const READY_CONDITION_REASONS: Readonly<Record<string, string>> = {
  'kustomize.toolkit.fluxcd.io/Kustomization': 'ReconciliationSucceeded',
  'source.toolkit.fluxcd.io/HelmRepository': 'Succeeded',
  'source.toolkit.fluxcd.io/GitRepository': 'Succeeded',
  'cert-manager.io/Certificate': 'Ready',
  'cert-manager.io/Issuer': 'KeyPairVerified',
  'cert-manager.io/ClusterIssuer': 'KeyPairVerified',
};

function statusOf(record: SimObjectRecord, now: number): Record<string, unknown> | undefined {
  const ready = isSimReady(record, now);
  const generation = record.generation;
  // Until ready the controller "has not observed" the latest spec: readiness.ts then says not
  // ready even for zero replicas, so it and the sim never disagree.
  const observedGeneration = ready ? generation : generation - 1;
  const since = (ready && record.readyAt ? record.readyAt : record.updatedAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  switch (workloadOf(record, record.object)) {
    case 'Deployment': {
      const n = ready ? desiredReplicas(record.object) : 0;
      return { observedGeneration, replicas: n, readyReplicas: n, availableReplicas: n, updatedReplicas: n };
    }
    case 'StatefulSet': {
      const n = ready ? desiredReplicas(record.object) : 0;
      return { observedGeneration, replicas: n, readyReplicas: n, availableReplicas: n, currentReplicas: n, updatedReplicas: n };
    }
    case 'HelmRelease': {
      const release = `${record.namespace}/${record.name}`;
      const condition = ready
        ? { type: 'Ready', status: 'True', reason: 'InstallSucceeded', message: `Helm install succeeded for release ${release}`, lastTransitionTime: since, observedGeneration }
        : { type: 'Ready', status: 'Unknown', reason: 'Progressing', message: `Reconciliation in progress for release ${release}`, lastTransitionTime: since, observedGeneration };
      return { observedGeneration, conditions: [condition] };
    }
    case 'LoadBalancer':
      return { loadBalancer: ready && record.loadBalancerIp ? { ingress: [{ ip: record.loadBalancerIp }] } : {} };
    case undefined:
      break;
  }
  if (record.apiGroup === '' && record.kind === 'Namespace') return { phase: 'Active' };
  if (record.apiGroup === '' && record.kind === 'Service') return { loadBalancer: {} };
  const reason = READY_CONDITION_REASONS[`${record.apiGroup}/${record.kind}`];
  if (reason) {
    const at = record.updatedAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { observedGeneration: generation, conditions: [{ type: 'Ready', status: 'True', reason, message: 'simulated: ready once it exists', lastTransitionTime: at, observedGeneration: generation }] };
  }
  return undefined;
}

/** spec.replicas, defaulted to 1 as the API server does. */
function desiredReplicas(object: Readonly<Record<string, unknown>>): number {
  const spec = object.spec;
  const replicas = typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>).replicas : undefined;
  return typeof replicas === 'number' ? replicas : 1;
}
