import { describeRef } from '../kubernetes/object-refs.js';
import type { SimObjectKey } from '../../shared/simulated-cluster-store.js';

/** Small facts about the simulated cluster's object keys, shared by its verbs. */

export function isHelmRelease(key: Pick<SimObjectKey, 'apiGroup' | 'kind'>): boolean {
  return key.apiGroup === 'helm.toolkit.fluxcd.io' && key.kind === 'HelmRelease';
}

export function sameKey(a: SimObjectKey, b: SimObjectKey): boolean {
  return a.apiGroup === b.apiGroup && a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

export function describeKey(key: SimObjectKey, apiVersion: string): string {
  return describeRef({ apiVersion, kind: key.kind, name: key.name, ...(key.namespace ? { namespace: key.namespace } : {}) });
}
