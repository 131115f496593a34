import { ApiException } from '@kubernetes/client-node';
import { DriverError, type ObjectRef } from '../contract.js';
import { HttpMethod, type KubeRestClient } from './kube-rest-client.js';
import { describeRef } from './object-refs.js';

/** What discovery says about a kind: its plural (the path segment) and whether it lives in namespaces. */
export interface ApiResource {
  plural: string;
  namespaced: boolean;
}

/** The cluster does not serve this kind (its CRD is not installed, or the group/version is wrong). */
export class KindNotServedError extends DriverError {
  constructor(apiVersion: string, kind: string) {
    super(`the cluster does not serve ${apiVersion} ${kind} (is its CustomResourceDefinition installed?)`, true);
    this.name = 'KindNotServedError';
  }
}

/**
 * Kind -> REST path, from the API server's discovery documents (/api/v1, /apis/<group>/<version>),
 * as kubectl does, rather than a table of plurals: CRDs (HelmRelease today, others tomorrow) need
 * no code here, and a kind the cluster does not serve is found before any write.
 *
 * One document per group/version, fetched once and shared by concurrent callers. A kind missing
 * from a cached document triggers one refetch: a CRD installed after start (Flux, after the
 * control plane) is then found without a restart.
 */
export class ResourceDiscovery {
  private readonly documents = new Map<string, Promise<readonly DiscoveredResource[]>>();

  constructor(private readonly client: KubeRestClient) {}

  /** The kind's resource; KindNotServedError when the cluster does not serve it. */
  async resource(apiVersion: string, kind: string): Promise<ApiResource> {
    // Both end up in a URL path: refuse anything that could step out of it.
    if (!API_VERSION.test(apiVersion) || !KIND.test(kind)) throw new DriverError(`not a Kubernetes apiVersion and kind: ${JSON.stringify(apiVersion)} ${JSON.stringify(kind)}`, false);
    const cachedBefore = this.documents.has(apiVersion);
    let found = (await this.document(apiVersion, false)).find((r) => r.kind === kind);
    if (!found && cachedBefore) found = (await this.document(apiVersion, true)).find((r) => r.kind === kind);
    if (!found) throw new KindNotServedError(apiVersion, kind);
    return { plural: found.name, namespaced: found.namespaced };
  }

  /** The path of one object. A namespaced kind needs a namespace: guessing "default" would write to the wrong place. */
  async objectPath(ref: ObjectRef): Promise<string> {
    const resource = await this.resource(ref.apiVersion, ref.kind);
    if (resource.namespaced && !ref.namespace) throw new DriverError(`${describeRef(ref)}: ${ref.kind} is namespaced but no namespace was given`, false);
    return `${collectionPath(ref.apiVersion, resource, ref.namespace)}/${encodeURIComponent(ref.name)}`;
  }

  /**
   * The path of a collection: in one namespace, or across all of them when `namespace` is
   * absent. A cluster-scoped kind has no namespace segment whatever `namespace` says.
   */
  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    return collectionPath(apiVersion, await this.resource(apiVersion, kind), namespace);
  }

  private document(apiVersion: string, refresh: boolean): Promise<readonly DiscoveredResource[]> {
    const cached = this.documents.get(apiVersion);
    if (cached && !refresh) return cached;
    const fetched = this.fetchDocument(apiVersion);
    this.documents.set(apiVersion, fetched);
    // A failed fetch is not remembered: the next call asks again.
    fetched.catch(() => {
      if (this.documents.get(apiVersion) === fetched) this.documents.delete(apiVersion);
    });
    return fetched;
  }

  private async fetchDocument(apiVersion: string): Promise<readonly DiscoveredResource[]> {
    let answer: unknown;
    try {
      answer = await this.client.request(HttpMethod.GET, groupVersionPath(apiVersion));
    } catch (error) {
      // 404: the group/version itself is not served; that is an answer, not a failure.
      if (error instanceof ApiException && error.code === 404) return [];
      throw error;
    }
    const resources = (answer as { resources?: unknown } | undefined)?.resources;
    if (!Array.isArray(resources)) return [];
    // Subresources (deployments/status, deployments/scale) carry their parent's kind; skip them.
    return resources.filter(isDiscoveredResource).filter((r) => !r.name.includes('/'));
  }
}

const API_VERSION = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v[0-9]+([a-z]+[0-9]+)?$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

interface DiscoveredResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

function isDiscoveredResource(value: unknown): value is DiscoveredResource {
  const r = value as Partial<DiscoveredResource> | null;
  return typeof r?.name === 'string' && typeof r.kind === 'string' && typeof r.namespaced === 'boolean';
}

/** The core group lives under /api, every other group under /apis. */
function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

function collectionPath(apiVersion: string, resource: ApiResource, namespace: string | undefined): string {
  const scope = resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupVersionPath(apiVersion)}${scope}/${resource.plural}`;
}
