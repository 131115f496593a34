import type { ClusterDriver, KubeObject, ObjectKind, ObjectRef } from '../../drivers/contract.js';
import { containsDeclared, refOf } from '../../shared/kubernetes-objects.js';
import { objectName, sameObject } from './object-names.js';

export interface SyncResult {
  /** Every declared object, "Kind/name", in declaration order. */
  objects: string[];
  /** The ones that were absent or differed and were applied. */
  applied: string[];
  /** Objects the step owned that are no longer declared, deleted. */
  pruned: string[];
}

/** What a step holds as its lists by owner labels found it, and which lists (kind and namespace) those were. */
export interface Held {
  objects: readonly KubeObject[];
  listed: ReadonlySet<string>;
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
  /** What the step listed before it declared (observeHeld): not listed again. */
  held?: Held;
}

/**
 * Makes the cluster hold what a step declares: observe what the step holds with one list per
 * kind by its owner labels (not one read per object), apply only the declared objects that are
 * absent there or differ (so a re-run after a crash, or a repair, applies nothing that is already
 * right), delete what the step owned before and no longer declares, then wait until all are
 * ready, from what the lists and applies answered. A declared object that lost the owner labels
 * is not listed: it is applied, which puts them back.
 */
export async function syncObjects(cluster: ClusterDriver, declared: readonly KubeObject[], options: SyncOptions): Promise<SyncResult> {
  const held = (await observeHeld(cluster, options, declared, options.held)).objects;
  // What each declared object is now: as held when that is right, else as its apply answers.
  const known: (KubeObject | undefined)[] = declared.map((object) => {
    const current = held.find((h) => sameObject(refOf(h), refOf(object)));
    return current && containsDeclared(current, object) ? current : undefined;
  });
  const toApply = declared.flatMap((object, i) => (known[i] === undefined ? [i] : []));
  const apply = async (i: number) => {
    options.signal.throwIfAborted();
    known[i] = await cluster.apply(declared[i]!);
  };
  // A namespace first, one by one: what lives in it cannot be applied before it exists. Then the
  // rest at once: nothing else a step declares needs another to exist first (a HelmRelease's
  // dependsOn is Flux's to follow), and a step's applies are round trips each; at once, the step
  // takes about one of them instead of their sum.
  for (const i of toApply.filter((i) => CLUSTER_SCOPED.has(declared[i]!.kind))) await apply(i);
  await settleAll(toApply.filter((i) => !CLUSTER_SCOPED.has(declared[i]!.kind)).map(apply));
  const applied = toApply.map((i) => objectName(refOf(declared[i]!)));
  const refs = declared.map(refOf);
  const pruned: string[] = [];
  const prunable = new Set(options.kinds.map(kindKey));
  for (const stale of held.map(refOf)) {
    if (!prunable.has(kindKey(stale)) || refs.some((r) => sameObject(r, stale))) continue;
    options.signal.throwIfAborted();
    await cluster.delete(stale);
    pruned.push(objectName(stale));
  }
  await cluster.awaitReady(refs, { timeoutMs: options.readyTimeoutMs, signal: options.signal, known: known.filter((k) => k !== undefined) });
  return { objects: refs.map(objectName), applied, pruned };
}

/** Everything carrying the step's owner labels, of the kinds it may own. */
export async function listOwned(
  cluster: ClusterDriver,
  options: Pick<SyncOptions, 'owner' | 'kinds' | 'namespace'>,
): Promise<ObjectRef[]> {
  return (await observeHeld(cluster, options)).objects.map(refOf);
}

/**
 * What the step holds: one list per kind (and namespace) by the owner labels, of the kinds the
 * step may own, in its namespace or cluster-wide, and of the declared objects where they live;
 * those `already` listed are not listed again.
 */
export async function observeHeld(
  cluster: ClusterDriver,
  options: Pick<SyncOptions, 'owner' | 'kinds' | 'namespace'>,
  declared: readonly KubeObject[] = [],
  already: Held = { objects: [], listed: new Set() },
): Promise<Held> {
  const lists = new Map<string, { kind: ObjectKind; namespace: string | undefined }>();
  const add = (kind: ObjectKind, namespace: string | undefined) => {
    const key = `${kindKey(kind)} ${namespace ?? ''}`;
    if (!already.listed.has(key)) lists.set(key, { kind: { apiVersion: kind.apiVersion, kind: kind.kind }, namespace });
  };
  for (const kind of options.kinds) add(kind, CLUSTER_SCOPED.has(kind.kind) ? undefined : options.namespace);
  for (const object of declared) add(object, CLUSTER_SCOPED.has(object.kind) ? undefined : object.metadata.namespace);
  // The lists at once (independent reads), their objects in the lists' order.
  const found = await settleAll([...lists.values()].map(({ kind, namespace }) => cluster.list(kind, options.owner, namespace)));
  const objects = [...already.objects, ...found.flat()];
  return { objects, listed: new Set([...already.listed, ...lists.keys()]) };
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

/**
 * Every one of `pending` settled, then their values; else the first failure, once all settled (no
 * request of the step is left running behind its failure, and the step's retry starts clean).
 */
async function settleAll<T>(pending: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(pending);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** A kind whatever version it is named at: "apps Deployment". */
function kindKey(kind: ObjectKind): string {
  const slash = kind.apiVersion.indexOf('/');
  return `${slash < 0 ? '' : kind.apiVersion.slice(0, slash)} ${kind.kind}`;
}

const CLUSTER_SCOPED: ReadonlySet<string> = new Set(['Namespace']);
