import type { ClusterDriver, KubeObject, ObjectKind, ObjectRef } from '../../drivers/contract.js';
import { refOf } from '../../shared/kubernetes-objects.js';
import { objectName, sameObject } from './object-names.js';

export interface SyncResult {
  /** Every declared object, "Kind/name", in declaration order. */
  objects: string[];
  /** The ones that were absent or differed and were applied. */
  applied: string[];
  /** Objects the step owned that are no longer declared, deleted. */
  pruned: string[];
}

export interface SyncOptions {
  signal: AbortSignal;
  readyTimeoutMs: number;
  /** The labels that select what this step owns (tenant id and step), for pruning. */
  owner: Readonly<Record<string, string>>;
  /** The kinds this step may own; objects of them carrying `owner` labels but not declared are pruned. */
  kinds: readonly ObjectKind[];
  /** Where the owned objects live; cluster-scoped kinds (Namespace) are listed cluster-wide. */
  namespace: string;
}

/**
 * Makes the cluster hold what a step declares: observe each object, apply only those absent or
 * different (so a re-run after a crash, or a repair, applies nothing that is already right),
 * delete what the step owned before and no longer declares, then wait until all are ready.
 */
export async function syncObjects(cluster: ClusterDriver, declared: readonly KubeObject[], options: SyncOptions): Promise<SyncResult> {
  const applied: string[] = [];
  for (const object of declared) {
    options.signal.throwIfAborted();
    if ((await cluster.observe(object)).upToDate) continue;
    await cluster.apply(object);
    applied.push(objectName(refOf(object)));
  }
  const refs = declared.map(refOf);
  const pruned: string[] = [];
  for (const stale of await listOwned(cluster, options)) {
    if (refs.some((r) => sameObject(r, stale))) continue;
    options.signal.throwIfAborted();
    await cluster.delete(stale);
    pruned.push(objectName(stale));
  }
  await cluster.awaitReady(refs, { timeoutMs: options.readyTimeoutMs, signal: options.signal });
  return { objects: refs.map(objectName), applied, pruned };
}

/** Everything carrying the step's owner labels, of the kinds it may own. */
export async function listOwned(
  cluster: ClusterDriver,
  options: Pick<SyncOptions, 'owner' | 'kinds' | 'namespace'>,
): Promise<ObjectRef[]> {
  const found: ObjectRef[] = [];
  for (const kind of options.kinds) {
    const namespace = CLUSTER_SCOPED.has(kind.kind) ? undefined : options.namespace;
    for (const object of await cluster.list(kind, options.owner, namespace)) found.push(refOf(object));
  }
  return found;
}

/**
 * Deletes what a step owns: first the objects it would declare, newest first (spec/004 wants
 * Helm releases uninstalled in reverse order), then anything else still carrying its labels
 * (what a half-run made, or an older declaration). Absent objects are fine.
 */
export async function teardownOwned(
  cluster: ClusterDriver,
  declared: readonly KubeObject[],
  options: Pick<SyncOptions, 'owner' | 'kinds' | 'namespace' | 'signal'>,
): Promise<string[]> {
  const deleted: string[] = [];
  for (const object of [...declared].reverse()) {
    options.signal.throwIfAborted();
    await cluster.delete(refOf(object));
    deleted.push(objectName(refOf(object)));
  }
  for (const left of (await listOwned(cluster, options)).reverse()) {
    options.signal.throwIfAborted();
    await cluster.delete(left);
    deleted.push(objectName(left));
  }
  return deleted;
}

const CLUSTER_SCOPED: ReadonlySet<string> = new Set(['Namespace']);
