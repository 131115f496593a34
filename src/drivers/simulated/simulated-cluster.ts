import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import {
  type ClusterDriver,
  DriverError,
  type InventoryItem,
  type InventorySelection,
  type KubeObject,
  type ObjectObservation,
  type ObjectKind,
  type ObjectRef,
  type ProbeResult,
  type ReadyWait,
  type ServiceEndpoint,
} from '../contract.js';
import { observeObject } from '../kubernetes/declared-fields.js';
import { readinessOf } from '../kubernetes/readiness.js';
import { labelSelector } from '../kubernetes/label-selector.js';
import { describeRef } from '../kubernetes/object-refs.js';
import { pollUntilReady, type ReadyCheck, readyCheckOf } from './sim-await-ready.js';
import { type DeclaredObject, declaredForm, specPart } from './sim-declared.js';
import { groupOf, isKnownClusterScoped, isNamespaceKind, keyOfRef } from './sim-kinds.js';
import { releaseSelector, renderedObjects } from './sim-chart-render.js';
import { DEFAULT_LOAD_BALANCER_IPS, nextFreeIp } from './sim-load-balancer-ips.js';
import { refOf } from '../../shared/kubernetes-objects.js';
import { describeKey, isHelmRelease, sameKey } from './sim-object-keys.js';
import type { SimObjectRecord, SimObjectStore } from '../../shared/simulated-cluster-store.js';
import { isSimReady, readyAtAfterChange, workloadOf } from './sim-readiness.js';
import { materialise } from './sim-status.js';

/**
 * The simulated cluster: a TEST DOUBLE of a Kubernetes API server, in the manner of kwok
 * (DESIGN.md section 5). It is the default ClusterDriver so that one laptop runs everything; the
 * real one is drivers/kubernetes. Both pass the same contract tests (test/drivers/cluster-contract.ts).
 *
 * What it simulates:
 * - storage: objects are kept in the control-plane database (table sim_objects), so they survive
 *   a restart and replicas sharing a PostgreSQL server see one cluster;
 * - server-side apply as an answer: the declared object is stored as given (status and server
 *   metadata stripped), with a stable uid, creationTimestamp, a resourceVersion that changes on
 *   every change, and a generation bumped when anything outside metadata changes; an identical
 *   apply changes nothing (only the apply_count tests read);
 * - namespaces: cluster-scoped Namespaces, and deleting one deletes everything in it (at once;
 *   the API server takes seconds);
 * - readiness: Deployments, StatefulSets, Flux HelmReleases and LoadBalancer Services become
 *   ready `delayMs` after an apply that changed them, with the status their controllers would
 *   write (replica counts, a Ready condition, an ingress IP from a pool of addresses);
 * - probe: a service "answers" 200 when a ready Deployment or HelmRelease of its name exists.
 *
 * What it does not: no admission (webhooks, defaulting beyond replicas=1, schema validation of
 * specs), no field ownership (an apply replaces the whole declaration, as one field manager with
 * force would), no controllers (no ReplicaSets, Pods, Endpoints, Helm installs beyond the few
 * objects of sim-chart-render.ts the control plane reads), no namespace
 * existence check, no finalizers or garbage collection by ownerReferences, no watch, and no
 * version conversion (an object reads the same at every version of its group).
 *
 * Beyond the ClusterDriver contract it has hooks for tests and the inspection API
 * (GET/DELETE /api/v1/sim/objects): markReady, configure, listAll, remove and applyCount.
 */
export interface SimulatedClusterOptions {
  /** How long a workload takes to become ready after an apply that changed it. */
  delayMs: number;
  /** Addresses LoadBalancer Services get, lowest free first; default 10.240.0.1-254. */
  loadBalancerIps?: readonly string[];
  /** How often awaitReady reads the store while waiting (besides waking at each ready_at); default 100 ms. */
  pollMs?: number;
}

// Concurrent applies of one object (or two load balancers taking the last free address) lose
// compare-and-set races; each retry reads again. Few contenders ever race, so a few tries do.
const APPLY_ATTEMPTS = 8;

export class SimulatedCluster implements ClusterDriver {
  private delayMs: number;
  private readonly loadBalancerIps: readonly string[];
  private readonly pollMs: number;

  constructor(
    private readonly store: SimObjectStore,
    options: SimulatedClusterOptions,
  ) {
    this.delayMs = options.delayMs;
    this.loadBalancerIps = options.loadBalancerIps ?? DEFAULT_LOAD_BALANCER_IPS;
    this.pollMs = options.pollMs ?? 100;
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    const record = await this.store.get(keyOfRef(ref));
    return record && materialise(record, Date.now(), ref.apiVersion);
  }

  observe(desired: KubeObject): Promise<ObjectObservation> {
    return observeObject((ref) => this.get(ref), desired);
  }

  async apply(object: KubeObject): Promise<KubeObject> {
    const declared = declaredForm(object);
    for (let attempt = 1; attempt <= APPLY_ATTEMPTS; attempt++) {
      // Created without a read first when it is new (what a step applies mostly is: it applies
      // only what it found absent or different); an existing one is read and compared.
      const created = attempt === 1 ? await this.create(declared) : undefined;
      const current = created ? undefined : await this.store.get(declared.key);
      const stored = created ?? (current ? await this.update(current, declared) : await this.create(declared));
      if (stored) {
        await this.installRendered(object);
        return materialise(stored, Date.now());
      }
      // Lost a race: let the winner finish, then look again.
      await sleep(Math.random() * 5 * attempt);
    }
    throw new DriverError(`apply ${describeKey(declared.key, declared.apiVersion)}: conflicting concurrent changes, try again`, true);
  }

  async delete(ref: ObjectRef): Promise<void> {
    await this.remove(ref);
  }

  async list(kind: ObjectKind, labels: Readonly<Record<string, string>>, namespace?: string): Promise<KubeObject[]> {
    // The real driver refuses what no label selector can say; so does the double.
    labelSelector(labels);
    const apiGroup = groupOf(kind.apiVersion);
    const records = await this.store.list({
      apiGroup,
      kind: kind.kind,
      ...(namespace && !isKnownClusterScoped(apiGroup, kind.kind) ? { namespace } : {}),
      labels,
    });
    const now = Date.now();
    return records.map((r) => materialise(r, now, kind.apiVersion));
  }

  /** One query for all the selections; `changedAt` is when an apply last changed the object (or created it). */
  async inventory(selections: readonly InventorySelection[]): Promise<InventoryItem[][]> {
    for (const s of selections) labelSelector(s.labels);
    const records = await this.store.inventory(selections.map((s) => s.labels));
    const answers: InventoryItem[][] = selections.map(() => []);
    for (const r of records) {
      const selection = selections[r.selection];
      if (!selection || (r.namespace !== selection.namespace && r.namespace !== '')) continue;
      answers[r.selection]?.push({
        apiVersion: r.apiVersion,
        kind: r.kind,
        name: r.name,
        ...(r.namespace ? { namespace: r.namespace } : {}),
        labels: r.labels,
        changedAt: r.updatedAt,
      });
    }
    return answers;
  }

  /**
   * Objects in `wait.known` (as just listed or applied) that are ready are not read again; the
   * others are read until ready.
   */
  async awaitReady(refs: readonly ObjectRef[], wait: ReadyWait): Promise<void> {
    const known = new Map((wait.known ?? []).map((o) => [describeRef(refOf(o)), o]));
    // The stand-in helm-controller reconciles a release it is waited on, as Flux does on its
    // interval: a release whose install was cut short (the process killed between applying the
    // release and what the chart makes) gets the chart's objects now, not never.
    const releases = refs.filter((ref) => isHelmRelease(keyOfRef(ref)));
    const unknownReleases = releases.filter((ref) => !known.has(describeRef(ref))).map(keyOfRef);
    const releaseObjects = [
      ...releases.flatMap((ref) => known.get(describeRef(ref)) ?? []),
      ...(await this.store.getMany(unknownReleases)).map((record) => materialise(record, Date.now())),
    ];
    await this.installMissing(releaseObjects.flatMap((release) => renderedObjects(release)));
    const waiting = refs.filter((ref) => !readinessOf(known.get(describeRef(ref))).ready);
    if (waiting.length === 0) return wait.signal.throwIfAborted();
    const keys = waiting.map(keyOfRef);
    const check = async (): Promise<ReadyCheck> => readyCheckOf(waiting, await this.store.getMany(keys), Date.now());
    return pollUntilReady(check, wait, this.pollMs);
  }

  /**
   * As if the API server proxied GET `path` to the Service: 200 when a ready Deployment or
   * HelmRelease named like it runs in its namespace, 503 (no ready endpoints) while only one
   * that is not ready does, 404 when there is none. The path is not looked at.
   */
  async probe(endpoint: ServiceEndpoint, _path: string, signal?: AbortSignal): Promise<ProbeResult> {
    signal?.throwIfAborted();
    const backends = await this.store.getMany([
      { apiGroup: 'apps', kind: 'Deployment', namespace: endpoint.namespace, name: endpoint.name },
      { apiGroup: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease', namespace: endpoint.namespace, name: endpoint.name },
    ]);
    signal?.throwIfAborted();
    const now = Date.now();
    if (backends.some((r) => isSimReady(r, now))) return { healthy: true, status: 200 };
    if (backends.length > 0) return { healthy: false, status: 503, detail: 'no ready endpoints' };
    return { healthy: false, status: 404, detail: `no Deployment or HelmRelease ${endpoint.namespace}/${endpoint.name} serves this service` };
  }

  /* ----------------------------------------------------------------------------------------- *
   * Hooks for tests and the simulated-cluster inspection API. Not part of ClusterDriver.
   * ----------------------------------------------------------------------------------------- */

  /** For tests: the object's controller finishes now (a Deployment rolled out, a release installed). */
  async markReady(ref: ObjectRef): Promise<void> {
    const found = await this.store.setReadyAt(keyOfRef(ref), new Date());
    if (!found) throw new DriverError(`markReady: ${describeRef(ref)} does not exist`, false);
  }

  /** For tests: a new delay for workloads changed from now on (those rolling out keep their ready_at). */
  configure(options: Partial<Pick<SimulatedClusterOptions, 'delayMs'>>): void {
    if (options.delayMs !== undefined) this.delayMs = options.delayMs;
  }

  /** For inspection (tests, GET /api/v1/sim/objects): every object, in one namespace or all, optionally of one kind. */
  async listAll(namespace?: string, kind?: string): Promise<KubeObject[]> {
    const records = await this.store.list({ ...(namespace !== undefined ? { namespace } : {}), ...(kind !== undefined ? { kind } : {}) });
    const now = Date.now();
    return records.map((r) => materialise(r, now));
  }

  /**
   * Deletes one object (a Namespace with everything in it); true when anything existed. delete() is
   * this without the answer; the inspection API uses it to delete behind the engine's back.
   */
  async remove(ref: ObjectRef): Promise<boolean> {
    const key = keyOfRef(ref);
    if (isNamespaceKind(key.apiGroup, key.kind)) {
      // Even when the Namespace object itself is absent: the sim does not require one before
      // objects go into a namespace, so deleting the namespace must still empty it.
      const { namespaceExisted, contents } = await this.store.deleteNamespace(ref.name);
      return namespaceExisted || contents > 0;
    }
    const existed = await this.store.delete(key);
    if (isHelmRelease(key)) await this.uninstallRendered(ref);
    return existed;
  }

  /** For tests: how many times the object was applied (changed or not); 0 when absent. */
  async applyCount(ref: ObjectRef): Promise<number> {
    return (await this.store.get(keyOfRef(ref)))?.applyCount ?? 0;
  }

  private async create(declared: DeclaredObject): Promise<SimObjectRecord | undefined> {
    const workload = workloadOf(declared.key, declared.object);
    return this.store.insert(declared.key, randomUUID(), {
      apiVersion: declared.apiVersion,
      object: declared.object,
      labels: declared.labels,
      generation: 1,
      readyAt: readyAtAfterChange(workload, Date.now(), this.delayMs),
      loadBalancerIp: workload === 'LoadBalancer' ? await this.freeIp() : null,
    });
  }

  private async update(current: SimObjectRecord, declared: DeclaredObject): Promise<SimObjectRecord | undefined> {
    const workload = workloadOf(declared.key, declared.object);
    // A load balancer still waiting for an address tries the pool again, changed or not.
    const wantsAddress = workload === 'LoadBalancer' && current.loadBalancerIp === null;
    // Identical: a real server-side apply with force changes nothing, not even resourceVersion.
    if (isDeepStrictEqual(current.object, declared.object) && !wantsAddress) return this.store.countApply(declared.key, current.resourceVersion);
    const changed = !isDeepStrictEqual(specPart(current.object), specPart(declared.object));
    return this.store.replace(declared.key, current.resourceVersion, {
      apiVersion: declared.apiVersion,
      object: declared.object,
      labels: declared.labels,
      generation: changed ? current.generation + 1 : current.generation,
      readyAt: changed ? readyAtAfterChange(workload, Date.now(), this.delayMs) : current.readyAt,
      // Stable per object while it stays a load balancer; released when it stops being one.
      loadBalancerIp: workload === 'LoadBalancer' ? (current.loadBalancerIp ?? (await this.freeIp())) : null,
    });
  }

  /** The objects the stand-in helm-controller installs with a release (sim-chart-render.ts). */
  private async installRendered(object: KubeObject): Promise<void> {
    if (groupOf(object.apiVersion) !== 'helm.toolkit.fluxcd.io' || object.kind !== 'HelmRelease') return;
    for (const rendered of renderedObjects(object)) await this.apply(rendered);
  }

  /** Of what releases render, those absent: a reconcile that finds one in place leaves it be (not even counted as an apply). */
  private async installMissing(rendered: readonly KubeObject[]): Promise<void> {
    if (rendered.length === 0) return;
    const present = await this.store.getMany(rendered.map((o) => keyOfRef(refOf(o))));
    for (const object of rendered) if (!present.some((r) => sameKey(r, keyOfRef(refOf(object))))) await this.apply(object);
  }

  /** Helm uninstall: what the release installed goes with it. */
  private async uninstallRendered(ref: ObjectRef): Promise<void> {
    const installed = await this.store.list({ namespace: ref.namespace ?? '', labels: releaseSelector(ref) });
    for (const record of installed) await this.store.delete(record);
  }

  private async freeIp(): Promise<string | null> {
    return nextFreeIp(this.loadBalancerIps, await this.store.loadBalancerIpsInUse()) ?? null;
  }
}
