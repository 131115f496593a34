import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ObjectRef } from '../../src/drivers/contract.js';
import { renderedObjects } from '../../src/drivers/simulated/sim-chart-render.js';
import { refOf } from '../../src/shared/kubernetes-objects.js';

/**
 * An HTTP fake of the Kubernetes API server on loopback: discovery, server-side apply, GET,
 * list by label selector (paged), DELETE and WATCH, over an in-memory store, and GET through the
 * service proxy. Tests point the real driver (client-node underneath) at it and read back every
 * request it made.
 *
 * It fakes the wire protocol, not Kubernetes: no field ownership (an apply replaces the object's
 * declared fields), no admission or schema validation, no namespace existence check, no
 * finalizers or garbage collection, JSON apply bodies only (the API server also takes YAML).
 *
 * The service proxy (`/api/v1/namespaces/{ns}/services/[scheme:]{name}[:port]/proxy/...`) has no
 * Services, pods or endpoints behind it: the workload of that name stands in for them. A ready
 * Deployment (status.availableReplicas >= spec.replicas, at least one) or HelmRelease (a
 * Ready=True condition) named {name} in {ns} answers 200 {"status":"UP"} whatever the port and
 * path; one that exists but is not ready gets the proxy's 503 "no endpoints available"; none gets
 * 404 "services ... not found". GET only. answerNext injects a service's own answer.
 */
export interface FakeResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const resource = (group: string, version: string, kind: string, plural: string, namespaced = true): FakeResource => ({ group, version, kind, plural, namespaced });

export const FAKE_RESOURCES: readonly FakeResource[] = [
  resource('', 'v1', 'Namespace', 'namespaces', false),
  resource('', 'v1', 'ServiceAccount', 'serviceaccounts'),
  resource('', 'v1', 'Secret', 'secrets'),
  resource('', 'v1', 'Service', 'services'),
  resource('', 'v1', 'ConfigMap', 'configmaps'),
  resource('', 'v1', 'ResourceQuota', 'resourcequotas'),
  resource('', 'v1', 'LimitRange', 'limitranges'),
  resource('rbac.authorization.k8s.io', 'v1', 'Role', 'roles'),
  resource('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings'),
  resource('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies'),
  resource('networking.k8s.io', 'v1', 'Ingress', 'ingresses'),
  resource('monitoring.coreos.com', 'v1', 'PrometheusRule', 'prometheusrules'),
  resource('monitoring.coreos.com', 'v1alpha1', 'AlertmanagerConfig', 'alertmanagerconfigs'),
  resource('cert-manager.io', 'v1', 'Certificate', 'certificates'),
  resource('apps', 'v1', 'Deployment', 'deployments'),
  resource('helm.toolkit.fluxcd.io', 'v2', 'HelmRelease', 'helmreleases'),
];

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The query string as sent ("?labelSelector=matih.ai%2Ftenant-id%3D..."), to check its encoding. */
  search: string;
  contentType: string | undefined;
  authorization: string | undefined;
  body: string;
  /** Discovery (/api, /apis, /api/v1, /apis/<group>/<version>) rather than an object or collection. */
  discovery: boolean;
}

interface Injection {
  status: number | 'drop' | 'stall';
  message: string;
  retryAfter?: string;
  /** A body sent as is (a proxied service's own answer) instead of a Status. */
  raw?: { body: string; contentType: string };
}

interface Watcher {
  res: ServerResponse;
  resource: FakeResource;
  namespace: string | undefined;
  matches: (object: KubeObject) => boolean;
}

const groupVersion = (r: FakeResource): string => (r.group ? `${r.group}/${r.version}` : r.version);

export class FakeKubeApi {
  readonly requests: RecordedRequest[] = [];
  private readonly objects = new Map<string, KubeObject>();
  private readonly watchers = new Set<Watcher>();
  private readonly injections: Injection[] = [];
  private revision = 100;
  private server: Server | undefined;
  url = '';

  private constructor(
    readonly token: string | undefined,
    private readonly controllers: boolean,
  ) {}

  /**
   * Listens on 127.0.0.1, a free port; with `token`, anything else but `Bearer <token>` gets 401.
   * With `controllers`, the controllers of a cluster with nothing to wait for run inside each
   * apply: what is applied answers ready at once (markReady), and an ingress-nginx HelmRelease
   * gets its chart's controller Service with an address, as Flux and the cloud would make it.
   * Nothing is recorded for them: the requests are the client's alone.
   */
  static async start(options: { token?: string; controllers?: boolean } = {}): Promise<FakeKubeApi> {
    const fake = new FakeKubeApi(options.token, options.controllers ?? false);
    const server = createServer((req, res) => fake.receive(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.server = server;
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
  }

  /** Writes `dir/kubeconfig` pointing at this server with its token (none: an anonymous user); returns its path. */
  async writeKubeconfig(dir: string): Promise<string> {
    const file = path.join(dir, 'kubeconfig');
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'matih', user: this.token === undefined ? {} : { token: this.token } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'matih' } }],
      'current-context': 'fake',
    };
    await fs.writeFile(file, JSON.stringify(config));
    return file;
  }

  async close(): Promise<void> {
    this.endWatches();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The requests for objects and collections, without discovery. */
  get apiRequests(): RecordedRequest[] {
    return this.requests.filter((r) => !r.discovery);
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  /** The next `times` object, collection or proxy requests (not discovery) get `status` with a Status body. */
  failNext(status: number, options: { message?: string; retryAfter?: string; times?: number } = {}): void {
    for (let i = 0; i < (options.times ?? 1); i++) {
      this.injections.push({ status, message: options.message ?? `injected ${status}`, ...(options.retryAfter ? { retryAfter: options.retryAfter } : {}) });
    }
  }

  /**
   * The next object, collection or proxy request gets `status` with `body` as it is, not a
   * Status: what a service behind the service proxy answers of its own.
   */
  answerNext(status: number, body: string, options: { contentType?: string; retryAfter?: string } = {}): void {
    this.injections.push({ status, message: '', raw: { body, contentType: options.contentType ?? 'text/plain; charset=utf-8' }, ...(options.retryAfter ? { retryAfter: options.retryAfter } : {}) });
  }

  /** The next object, collection or proxy request has its connection destroyed without an answer. */
  dropNext(): void {
    this.injections.push({ status: 'drop', message: '' });
  }

  /** The next object, collection or proxy request gets no answer at all (until close). */
  stallNext(): void {
    this.injections.push({ status: 'stall', message: '' });
  }

  /** Ends every open watch, as the API server does when a watch times out. */
  endWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  object(ref: ObjectRef): KubeObject | undefined {
    const found = this.resourceOf(ref.apiVersion, ref.kind);
    return found ? this.objects.get(this.key(found, ref.namespace, ref.name)) : undefined;
  }

  /** Stores an object as if someone else had created it (no request recorded). */
  seed(object: KubeObject): void {
    const found = this.resourceOf(object.apiVersion, object.kind);
    if (!found) throw new Error(`fake: unknown kind ${object.kind}`);
    this.store(found, object, undefined);
  }

  /** Replaces an object's status, as its controller would, and tells the watchers (MODIFIED). */
  setStatus(ref: ObjectRef, status: Record<string, unknown>): void {
    const found = this.resourceOf(ref.apiVersion, ref.kind);
    const current = this.object(ref);
    if (!found || !current) throw new Error(`fake: no ${ref.kind} ${ref.name} to set the status of`);
    this.store(found, { ...current, status }, current);
  }

  /** The status that makes an object ready by readiness.ts's rules (Deployment, LB Service, Ready condition). */
  markReady(ref: ObjectRef): void {
    const current = this.object(ref);
    if (!current) throw new Error(`fake: no ${ref.kind} ${ref.name} to make ready`);
    const spec = (current.spec ?? {}) as { replicas?: number; type?: string };
    if (ref.kind === 'Deployment') {
      const replicas = spec.replicas ?? 1;
      const observedGeneration = current.metadata.generation;
      this.setStatus(ref, { observedGeneration, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas });
    } else if (ref.kind === 'Service' && spec.type === 'LoadBalancer') {
      this.setStatus(ref, { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } });
    } else if (ref.kind === 'HelmRelease' || ref.kind === 'Certificate') {
      const observedGeneration = current.metadata.generation;
      this.setStatus(ref, { observedGeneration, conditions: [{ type: 'Ready', status: 'True', reason: 'InstallSucceeded', observedGeneration }] });
    }
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const segments = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
      const discovery = isDiscovery(segments);
      const request: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        search: url.search,
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString('utf8'),
        discovery,
      };
      this.requests.push(request);
      if (this.token !== undefined && request.authorization !== `Bearer ${this.token}`) return sendStatus(res, 401, 'Unauthorized', 'Unauthorized');
      const injection = discovery ? undefined : this.injections.shift();
      if (injection?.status === 'drop') return void req.socket.destroy();
      if (injection?.status === 'stall') return;
      if (injection?.raw) return sendRaw(res, injection.status, injection.raw.body, injection.raw.contentType, injection.retryAfter);
      if (injection) return sendStatus(res, injection.status, reasonOf(injection.status), injection.message, injection.retryAfter);
      if (discovery) return this.discover(segments, res);
      this.route(segments, request, res);
    });
  }

  private discover(segments: string[], res: ServerResponse): void {
    if (segments.length === 1 && segments[0] === 'api') return sendJson(res, 200, { kind: 'APIVersions', versions: ['v1'] });
    if (segments.length === 1) {
      const groups = [...new Set(FAKE_RESOURCES.filter((r) => r.group).map(groupVersion))].map((gv) => {
        const [name = '', version = ''] = gv.split('/');
        return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
      });
      return sendJson(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
    }
    const gv = segments.slice(1).join('/');
    const served = FAKE_RESOURCES.filter((r) => groupVersion(r) === gv);
    if (served.length === 0) return sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
    // Subresources first, on purpose: a client that picks the first entry of a kind gets it wrong.
    const resources = served.flatMap((r) => [
      { name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] },
      { name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
    ]);
    sendJson(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources });
  }

  private route(segments: string[], request: RecordedRequest, res: ServerResponse): void {
    const proxied = parseServiceProxyPath(segments);
    if (proxied) return this.serviceProxy(proxied.namespace, proxied.service, request, res);
    const parsed = parseObjectPath(segments);
    if (!parsed) return sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
    const { resource: r, namespace, name } = parsed;
    if (name === undefined) {
      if (request.method !== 'GET') return sendStatus(res, 405, 'MethodNotAllowed', `${request.method} on a collection`);
      const selector = parseSelectors(request.query);
      if (!selector) return sendStatus(res, 400, 'BadRequest', `unable to parse requirement: ${request.query.labelSelector ?? ''}`);
      const matches = (o: KubeObject) => (!namespace || o.metadata.namespace === namespace) && selector(o);
      if (request.query.watch === 'true' || request.query.watch === '1') return this.startWatch(res, r, namespace, matches, request.query);
      return this.sendList(res, r, matches, request.query);
    }
    const key = this.key(r, namespace, name);
    const current = this.objects.get(key);
    const notFound = () => sendStatus(res, 404, 'NotFound', `${r.plural}${r.group ? `.${r.group}` : ''} "${name}" not found`);
    if (request.method === 'GET') return current ? sendJson(res, 200, current) : notFound();
    if (request.method === 'DELETE') {
      if (!current) return notFound();
      this.objects.delete(key);
      this.emit(r, 'DELETED', current);
      return sendJson(res, 200, current);
    }
    if (request.method === 'PATCH') return this.apply(res, r, namespace, name, request, current);
    sendStatus(res, 405, 'MethodNotAllowed', `${request.method} is not faked`);
  }

  /** The service proxy, with the workload named like the Service standing in for its endpoints. */
  private serviceProxy(namespace: string, service: string, request: RecordedRequest, res: ServerResponse): void {
    if (request.method !== 'GET') return sendStatus(res, 405, 'MethodNotAllowed', `${request.method} through the service proxy is not faked`);
    const workloads = [
      { apiVersion: 'apps/v1', kind: 'Deployment', ready: deploymentReady },
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', ready: readyConditionTrue },
    ].flatMap(({ ready, ...kind }) => {
      const found = this.object({ ...kind, name: service, namespace });
      return found ? [ready(found)] : [];
    });
    if (workloads.length === 0) return sendStatus(res, 404, 'NotFound', `services "${service}" not found`);
    if (!workloads.includes(true)) return sendStatus(res, 503, 'ServiceUnavailable', `no endpoints available for service "${service}"`);
    sendJson(res, 200, { status: 'UP' });
  }

  private apply(res: ServerResponse, r: FakeResource, namespace: string | undefined, name: string, request: RecordedRequest, current: KubeObject | undefined): void {
    if (request.contentType !== 'application/apply-patch+yaml') return sendStatus(res, 415, 'UnsupportedMediaType', `the fake only applies, got ${request.contentType ?? 'no content type'}`);
    if (!request.query.fieldManager) return sendStatus(res, 400, 'BadRequest', 'fieldManager: Required value: is required for apply patch');
    let applied: KubeObject;
    try {
      applied = JSON.parse(request.body) as KubeObject;
    } catch {
      return sendStatus(res, 400, 'BadRequest', 'error decoding YAML');
    }
    if (applied.apiVersion !== groupVersion(r) || applied.kind !== r.kind) return sendStatus(res, 400, 'BadRequest', 'apiVersion or kind does not match the URL');
    if (applied.metadata?.name !== name) return sendStatus(res, 400, 'BadRequest', 'the name of the object does not match the name on the URL');
    if (applied.metadata.namespace !== undefined && applied.metadata.namespace !== namespace) return sendStatus(res, 400, 'BadRequest', 'the namespace of the object does not match the namespace on the URL');
    if (applied.metadata.managedFields !== undefined) return sendStatus(res, 400, 'BadRequest', 'metadata.managedFields must be nil');
    // The status of an apply to the main resource is ignored, as for kinds with a status subresource.
    const { status: _ignored, ...declared } = applied;
    const stored = this.store(r, { ...declared, metadata: { ...applied.metadata, ...(namespace ? { namespace } : {}) } }, current, request.query.fieldManager);
    sendJson(res, current ? 200 : 201, this.controllers ? this.reconcile(stored) : stored);
  }

  /** The instant controllers of `controllers`: the object made ready, and what its chart renders. */
  private reconcile(stored: KubeObject): KubeObject {
    const ref = refOf(stored);
    this.markReady(ref);
    if (stored.kind === 'HelmRelease') {
      for (const rendered of renderedObjects(stored)) {
        if (this.object(refOf(rendered))) continue;
        this.seed(rendered);
        this.markReady(refOf(rendered));
      }
    }
    return this.object(ref) ?? stored;
  }

  /** Saves `next` (declared fields, with `current`'s status and identity), bumping versions only on change. */
  private store(r: FakeResource, next: KubeObject, current: KubeObject | undefined, manager = 'fake'): KubeObject {
    const declared = (o: KubeObject) => {
      const { metadata, status: _status, ...rest } = o;
      return { rest, labels: metadata.labels, annotations: metadata.annotations };
    };
    const status = 'status' in next ? next.status : current?.status;
    const specChanged = !current || !isDeepStrictEqual(declared(current).rest, declared(next).rest);
    if (current && !specChanged && isDeepStrictEqual(declared(current), declared(next)) && isDeepStrictEqual(current.status, status)) return current;
    const generation = (current?.metadata.generation as number | undefined) ?? 0;
    const stored: KubeObject = {
      ...next,
      metadata: {
        ...next.metadata,
        uid: current?.metadata.uid ?? randomUUID(),
        resourceVersion: String(++this.revision),
        generation: specChanged ? generation + 1 : generation,
        creationTimestamp: current?.metadata.creationTimestamp ?? new Date().toISOString(),
        managedFields: [{ manager, operation: 'Apply', apiVersion: groupVersion(r) }],
      },
      ...(status === undefined ? {} : { status }),
    };
    this.objects.set(this.key(r, next.metadata.namespace, next.metadata.name), stored);
    this.emit(r, current ? 'MODIFIED' : 'ADDED', stored);
    return stored;
  }

  private sendList(res: ServerResponse, r: FakeResource, matches: (o: KubeObject) => boolean, query: Record<string, string>): void {
    const all = [...this.objects.entries()].filter(([key, o]) => key.startsWith(`${groupVersion(r)}/${r.plural}/`) && matches(o)).map(([, o]) => o);
    const start = Number(query.continue ?? 0);
    const limit = query.limit ? Number(query.limit) : all.length;
    const page = all.slice(start, start + limit);
    const more = start + limit < all.length;
    // As the API server does: list items carry neither apiVersion nor kind.
    const items = page.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
    const metadata = { resourceVersion: String(this.revision), ...(more ? { continue: String(start + limit) } : {}) };
    sendJson(res, 200, { apiVersion: groupVersion(r), kind: `${r.kind}List`, metadata, items });
  }

  private startWatch(res: ServerResponse, r: FakeResource, namespace: string | undefined, matches: (o: KubeObject) => boolean, query: Record<string, string>): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    const watcher: Watcher = { res, resource: r, namespace, matches };
    // No resourceVersion: start with the current state, as synthetic ADDED events.
    if (!query.resourceVersion || query.resourceVersion === '0') {
      for (const [key, o] of this.objects) if (key.startsWith(`${groupVersion(r)}/${r.plural}/`) && matches(o)) writeEvent(res, 'ADDED', o);
    }
    this.watchers.add(watcher);
    const seconds = Number(query.timeoutSeconds);
    const timer = seconds > 0 ? setTimeout(() => res.end(), seconds * 1000) : undefined;
    res.on('close', () => {
      clearTimeout(timer);
      this.watchers.delete(watcher);
    });
  }

  private emit(r: FakeResource, type: string, object: KubeObject): void {
    for (const w of this.watchers) if (w.resource === r && w.matches(object)) writeEvent(w.res, type, object);
  }

  private resourceOf(apiVersion: string, kind: string): FakeResource | undefined {
    return FAKE_RESOURCES.find((r) => groupVersion(r) === apiVersion && r.kind === kind);
  }

  private key(r: FakeResource, namespace: string | undefined, name: string): string {
    return `${groupVersion(r)}/${r.plural}/${r.namespaced ? (namespace ?? '') : ''}/${name}`;
  }
}

function isDiscovery(segments: string[]): boolean {
  const [root] = segments;
  return (root === 'api' && segments.length <= 2) || (root === 'apis' && segments.length <= 3);
}

/**
 * /api/v1/namespaces/<ns>/services/<service>/proxy[/<path>]: the Service's name out of
 * [scheme:]name[:port], split as the API server does (two parts are name and port).
 */
function parseServiceProxyPath(segments: string[]): { namespace: string; service: string } | undefined {
  const [api, version, namespaces, namespace, services, target, proxy] = segments;
  if (api !== 'api' || version !== 'v1' || namespaces !== 'namespaces' || services !== 'services' || proxy !== 'proxy') return undefined;
  if (!namespace || !target) return undefined;
  const parts = target.split(':');
  const service = parts.length === 3 ? parts[1] : parts[0];
  return service && parts.length <= 3 ? { namespace, service } : undefined;
}

/** Rolled out enough to have an endpoint: the replicas it wants (at least one) are available. */
function deploymentReady(o: KubeObject): boolean {
  const spec = (o.spec ?? {}) as { replicas?: unknown };
  const status = (o.status ?? {}) as { availableReplicas?: unknown };
  const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const available = typeof status.availableReplicas === 'number' ? status.availableReplicas : 0;
  return available > 0 && available >= desired;
}

function readyConditionTrue(o: KubeObject): boolean {
  const conditions = (o.status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(conditions) && conditions.some((c) => (c as { type?: unknown; status?: unknown } | null)?.type === 'Ready' && (c as { status?: unknown }).status === 'True');
}

/** /api/v1/..., /apis/<group>/<version>/...: [namespaces/<ns>/]<plural>[/<name>]. */
function parseObjectPath(segments: string[]): { resource: FakeResource; namespace?: string; name?: string } | undefined {
  const gvLength = segments[0] === 'api' ? 2 : 3;
  const gv = segments.slice(1, gvLength).join('/');
  let rest = segments.slice(gvLength);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, ...extra] = rest;
  const found = FAKE_RESOURCES.find((r) => groupVersion(r) === gv && r.plural === plural);
  if (!found || extra.length > 0 || (namespace && !found.namespaced)) return undefined;
  return { resource: found, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) };
}

/** Equality label selectors and the metadata.name field selector; undefined when unparseable. */
function parseSelectors(query: Record<string, string>): ((o: KubeObject) => boolean) | undefined {
  const wanted: [string, string][] = [];
  for (const requirement of (query.labelSelector ?? '').split(',').filter((s) => s !== '')) {
    const match = /^([^=!]+)==?([^=!]*)$/.exec(requirement);
    if (!match) return undefined;
    wanted.push([match[1] ?? '', match[2] ?? '']);
  }
  const name = /^metadata\.name=(.+)$/.exec(query.fieldSelector ?? '')?.[1];
  return (o) => (name === undefined || o.metadata.name === name) && wanted.every(([k, v]) => o.metadata.labels?.[k] === v);
}

function writeEvent(res: ServerResponse, type: string, object: KubeObject): void {
  res.write(`${JSON.stringify({ type, object })}\n`);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sendStatus(res: ServerResponse, code: number, reason: string, message: string, retryAfter?: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (retryAfter) headers['retry-after'] = retryAfter;
  const body = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...(retryAfter ? { details: { retryAfterSeconds: Number(retryAfter) } } : {}) };
  res.writeHead(code, headers).end(JSON.stringify(body));
}

function sendRaw(res: ServerResponse, status: number, body: string, contentType: string, retryAfter?: string): void {
  res.writeHead(status, { 'content-type': contentType, ...(retryAfter ? { 'retry-after': retryAfter } : {}) }).end(body);
}

function reasonOf(status: number): string {
  const reasons: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 408: 'Timeout', 409: 'Conflict', 410: 'Expired', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout' };
  return reasons[status] ?? 'Unknown';
}
