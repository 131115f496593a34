import { KubeConfig, Watch } from '@kubernetes/client-node';
import { type ClusterDriver, DriverError, type KubeObject, type ObjectObservation, type ObjectKind, type ObjectRef, type ProbeResult, type ReadyWait, type ServiceEndpoint } from '../contract.js';
import { type ApiPermission, type RequestGuard, permissionGuard } from './api-permissions.js';
import { awaitObjectsReady } from './await-ready.js';
import { observeObject } from './declared-fields.js';
import { apiStatus, classifyKubeError } from './error-classification.js';
import { type KubeConfigSource, loadKubeConfig } from './kube-config.js';
import { HttpMethod, KubeRestClient } from './kube-rest-client.js';
import { labelSelector } from './label-selector.js';
import { watchObject } from './object-watch.js';
import { refOf } from '../../shared/kubernetes-objects.js';
import { describeRef, isKubeObject } from './object-refs.js';
import { KindNotServedError, ResourceDiscovery } from './resource-discovery.js';
import { MAX_PROBE_BODY_CHARS, type ProbeScheme, describeEndpoint, probeResultOf, serviceProxyPath } from './service-probe.js';

/**
 * The one field manager of every server-side apply we make. Stable on purpose: the API server
 * records field ownership under this name, and a second name would make two owners of our own
 * fields (and leave fields we stopped declaring behind instead of removing them).
 */
export const FIELD_MANAGER = 'matih-control-plane';

export const APPLY_PATCH_CONTENT_TYPE = 'application/apply-patch+yaml';

/**
 * Background: the API server removes the object at once and the garbage collector removes its
 * dependents (a Deployment's ReplicaSets and Pods) afterwards, as kubectl does by default.
 * Foreground would keep the object, with a deletionTimestamp, until every dependent is gone, so
 * a GET right after a successful delete would still find it and teardown would see it as
 * present. Offboarding does not need dependents gone first: it ends by deleting the tenant's
 * Namespace, which the API server empties before it disappears.
 */
export const DELETE_PROPAGATION = 'Background';

export interface KubernetesDriverOptions {
  /** Where the cluster is: a kubeconfig file, in-cluster, or a server and token given directly. */
  kubeConfig: KubeConfigSource | KubeConfig;
  /** One request may take this long; default 30 s. */
  requestTimeoutMs?: number;
  /** Pause before a GET after a watch ended or broke; default 1 s. */
  watchRetryDelayMs?: number;
  /** The API server ends each watch after this long and we start another; default 60 s. */
  watchTimeoutSeconds?: number;
  /** Objects per list page; default 500. */
  listPageSize?: number;
  /** How the API server's service proxy talks to probed services: 'http' (default) or 'https'. */
  probeScheme?: ProbeScheme;
  /**
   * The permissions the control plane holds (api-permissions.ts' CONTROL_PLANE_PERMISSIONS, the
   * rules of its ClusterRole): a request outside them fails at once, naming what is missing.
   * Unset: no check (tests of the driver's own behaviour on kinds no step uses).
   */
  permissions?: readonly ApiPermission[];
}

/** Server-populated metadata. Sent back in an apply, managedFields is refused and resourceVersion makes it a compare-and-swap that fails with 409. */
const SERVER_METADATA = new Set(['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']);

/**
 * The ClusterDriver for a real Kubernetes API server (DESIGN.md section 5): server-side apply
 * with one field manager, GET/DELETE by discovered path, list by label selector, readiness by
 * watch. 404 means absent on reads and deletes; everything else is classified once, in
 * error-classification.ts.
 */
export class KubernetesClusterDriver implements ClusterDriver {
  private readonly rest: KubeRestClient;
  private readonly discovery: ResourceDiscovery;
  private readonly watcher: Watch;
  private readonly watchRetryDelayMs: number;
  private readonly watchTimeoutSeconds: number;
  private readonly listPageSize: number;
  private readonly probeScheme: ProbeScheme;
  private readonly guard: RequestGuard | undefined;

  constructor(options: KubernetesDriverOptions) {
    const config = options.kubeConfig instanceof KubeConfig ? options.kubeConfig : loadKubeConfig(options.kubeConfig);
    this.guard = options.permissions ? permissionGuard(options.permissions) : undefined;
    this.rest = KubeRestClient.fromKubeConfig(config, options.requestTimeoutMs ?? 30_000, this.guard);
    this.discovery = new ResourceDiscovery(this.rest);
    this.watcher = new Watch(config);
    this.watchRetryDelayMs = options.watchRetryDelayMs ?? 1000;
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? 60;
    this.listPageSize = options.listPageSize ?? 500;
    this.probeScheme = options.probeScheme ?? 'http';
  }

  async get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined> {
    try {
      const path = await this.discovery.objectPath(ref);
      const answer = await this.rest.request(HttpMethod.GET, path, signal ? { signal } : {});
      return isKubeObject(answer) ? answer : undefined;
    } catch (error) {
      // A kind the cluster does not serve has no objects: absent, like a 404.
      if (error instanceof KindNotServedError || isNotFound(error)) return undefined;
      throw classifyKubeError(error, `get ${describeRef(ref)}`);
    }
  }

  observe(desired: KubeObject): Promise<ObjectObservation> {
    return observeObject((ref) => this.get(ref), desired);
  }

  async apply(object: KubeObject): Promise<KubeObject> {
    const ref = refOf(object);
    const action = `apply ${describeRef(ref)}`;
    if (!object.metadata.name) throw new DriverError(`${action}: metadata.name is empty`, false);
    try {
      const path = await this.discovery.objectPath(ref);
      const answer = await this.rest.request(HttpMethod.PATCH, path, {
        query: { fieldManager: FIELD_MANAGER, force: 'true' },
        contentType: APPLY_PATCH_CONTENT_TYPE,
        // JSON is YAML: the API server parses this body with its YAML decoder.
        body: JSON.stringify(applyBody(object)),
      });
      if (!isKubeObject(answer)) throw new DriverError(`${action}: the API server answered without the object`, true);
      return answer;
    } catch (error) {
      throw classifyKubeError(error, action);
    }
  }

  async delete(ref: ObjectRef): Promise<void> {
    try {
      const path = await this.discovery.objectPath(ref);
      await this.rest.request(HttpMethod.DELETE, path, { query: { propagationPolicy: DELETE_PROPAGATION } });
    } catch (error) {
      if (error instanceof KindNotServedError || isNotFound(error)) return;
      throw classifyKubeError(error, `delete ${describeRef(ref)}`);
    }
  }

  async list(kind: ObjectKind, labels: Readonly<Record<string, string>>, namespace?: string): Promise<KubeObject[]> {
    const action = `list ${kind.apiVersion} ${kind.kind}${namespace ? ` in ${namespace}` : ''}`;
    try {
      const selector = labelSelector(labels);
      const path = await this.discovery.collectionPath(kind.apiVersion, kind.kind, namespace);
      const objects: KubeObject[] = [];
      let continueToken: string | undefined;
      // Pages keep one answer (and the API server's memory for it) bounded on large clusters.
      do {
        const query: Record<string, string> = { limit: String(this.listPageSize) };
        if (selector) query.labelSelector = selector;
        if (continueToken) query.continue = continueToken;
        const page = (await this.rest.request(HttpMethod.GET, path, { query })) as ListPage | undefined;
        // List items come without apiVersion and kind; callers compare and re-apply them, so put them back.
        for (const item of page?.items ?? []) if (isKubeObject(item)) objects.push({ ...item, apiVersion: kind.apiVersion, kind: kind.kind });
        continueToken = page?.metadata?.continue || undefined;
      } while (continueToken);
      return objects;
    } catch (error) {
      if (error instanceof KindNotServedError) return [];
      throw classifyKubeError(error, action);
    }
  }

  async awaitReady(refs: readonly ObjectRef[], wait: ReadyWait): Promise<void> {
    const deps = {
      get: (ref: ObjectRef, signal: AbortSignal) => this.get(ref, signal),
      watch: (ref: ObjectRef, signal: AbortSignal, onEvent: (type: string, object: unknown) => boolean) =>
        watchObject(this.watcher, this.discovery, ref, { timeoutSeconds: this.watchTimeoutSeconds, signal, guard: this.guard }, onEvent),
      retryDelayMs: this.watchRetryDelayMs,
    };
    return awaitObjectsReady(deps, refs, wait);
  }

  /**
   * GET through the API server's service proxy (service-probe.ts says what each answer means).
   * No discovery: the proxy is a core subresource every API server serves. Rejects with
   * `signal.reason` when the caller aborts.
   */
  async probe(endpoint: ServiceEndpoint, path: string, signal?: AbortSignal): Promise<ProbeResult> {
    signal?.throwIfAborted();
    const target = serviceProxyPath(endpoint, path, this.probeScheme);
    const action = `probe ${describeEndpoint(endpoint)}${path}`;
    try {
      const answer = await this.rest.exchange(HttpMethod.GET, target, {
        // A health endpoint may answer JSON or text: JSON preferred, anything taken.
        accept: 'application/json, */*',
        maxBodyChars: MAX_PROBE_BODY_CHARS,
        ...(signal ? { signal } : {}),
      });
      return probeResultOf(answer, action);
    } catch (error) {
      // The caller's reason, as given, like awaitReady (an AbortError DOMException unless it chose another).
      if (signal?.aborted) throw signal.reason as Error;
      throw classifyKubeError(error, action);
    }
  }
}

interface ListPage {
  items?: unknown[];
  metadata?: { continue?: string };
}

function isNotFound(error: unknown): boolean {
  return apiStatus(error) === 404;
}

/** The manifest as we declare it: no status (we never own it) and no server-populated metadata. */
function applyBody(object: KubeObject): KubeObject {
  const { status: _status, ...declared } = object;
  const metadata = Object.fromEntries(Object.entries(object.metadata).filter(([key]) => !SERVER_METADATA.has(key)));
  return { ...declared, metadata: metadata as KubeObject['metadata'] };
}
