import { DriverError } from '../contract.js';
import { requestAttributes } from './request-attributes.js';

/**
 * Everything the control plane may do on a Kubernetes API server: the one table its ClusterRole
 * is made of (`npm run generate:chart-rbac` writes the Helm chart's rules from it), which the
 * driver checks each request against (permissionGuard) and which tests prove exact: every
 * (group, resource, verb) the driver sends during a tenant's whole life is a `calls` row, and
 * every `calls` row is sent (test/drivers/kubernetes-api-permissions.test.ts); the `delegated`
 * rows are the union of the rules of the Roles the steps create.
 *
 * A step that starts to use a new kind fails on the guard, naming the missing permission, until
 * it is added here (and the chart regenerated): never a 403 discovered on a real cluster.
 */

export type ApiVerb = 'get' | 'list' | 'watch' | 'create' | 'patch' | 'delete';

export interface ApiPermission {
  /** '' for the core group. */
  group: string;
  /** Plurals, subresources as "services/proxy". */
  resources: readonly string[];
  verbs: readonly ApiVerb[];
  /**
   * `calls`: requests the driver sends. `delegated`: sent by nobody, held because RBAC lets a
   * client create a Role (or bind one) only with every permission it grants, at the same scope
   * or wider (escalation prevention); the alternative, the `escalate` and `bind` verbs on roles,
   * would let the control plane grant anything to anyone.
   */
  kind: 'calls' | 'delegated';
  /** Why the control plane needs it; the generated ClusterRole carries it as a comment. */
  why: string;
}

/** Server-side apply is a PATCH; when the object does not exist yet the API server authorizes it as create too. */
const APPLY: readonly ApiVerb[] = ['create', 'delete', 'list', 'patch'];
const READ: readonly ApiVerb[] = ['get', 'list', 'watch'];

export const CONTROL_PLANE_PERMISSIONS: readonly ApiPermission[] = [
  {
    group: '',
    resources: ['namespaces'],
    verbs: APPLY,
    kind: 'calls',
    why: "CREATE_NAMESPACE applies the tenant's namespace, DELETE_NAMESPACE deletes it; teardown and the reconciler list it by label (cluster-wide)",
  },
  {
    group: '',
    resources: ['configmaps', 'limitranges', 'resourcequotas', 'secrets', 'serviceaccounts'],
    verbs: APPLY,
    kind: 'calls',
    why: "the tenant's objects: applied (server-side apply), listed by the tenant's and step's labels, pruned and torn down",
  },
  {
    group: 'rbac.authorization.k8s.io',
    resources: ['rolebindings', 'roles'],
    verbs: APPLY,
    kind: 'calls',
    why: "the tenant workload's and the tenant Prometheus' Roles, limited to the tenant's namespace",
  },
  {
    group: 'networking.k8s.io',
    resources: ['ingresses', 'networkpolicies'],
    verbs: APPLY,
    kind: 'calls',
    why: "the tenant's isolation policies and its Ingress",
  },
  {
    group: 'monitoring.coreos.com',
    resources: ['alertmanagerconfigs', 'prometheusrules'],
    verbs: APPLY,
    kind: 'calls',
    why: "the tenant's alert rules and alert routing (Prometheus Operator)",
  },
  {
    group: 'helm.toolkit.fluxcd.io',
    resources: ['helmreleases'],
    verbs: [...APPLY, 'get', 'watch'],
    kind: 'calls',
    why: "the tenant's services as Flux HelmReleases; watched until Ready, read again when a watch ends",
  },
  {
    group: 'cert-manager.io',
    resources: ['certificates'],
    verbs: [...APPLY, 'get', 'watch'],
    kind: 'calls',
    why: "the tenant's certificate with MATIH_TLS_DRIVER=cert-manager; watched until Ready, read again when a watch ends",
  },
  {
    group: '',
    resources: ['services'],
    verbs: ['get', 'watch'],
    kind: 'calls',
    why: "DEPLOY_INGRESS_CONTROLLER reads the tenant ingress controller's LoadBalancer Service (its chart makes it) and watches it for its address",
  },
  {
    group: '',
    resources: ['services/proxy'],
    verbs: ['get'],
    kind: 'calls',
    why: "VERIFY asks each tenant service's /health through the API server's service proxy",
  },
  {
    group: '',
    resources: ['configmaps', 'endpoints', 'events', 'persistentvolumeclaims', 'pods', 'pods/log', 'services'],
    verbs: READ,
    kind: 'delegated',
    why: "granted to the tenant's workload (Role tenant-workload-reader) and Prometheus (service discovery) in their namespace",
  },
  {
    group: 'apps',
    resources: ['deployments', 'replicasets', 'statefulsets'],
    verbs: READ,
    kind: 'delegated',
    why: "granted to the tenant's workload (Role tenant-workload-reader) in its namespace",
  },
  {
    group: 'batch',
    resources: ['cronjobs', 'jobs'],
    verbs: READ,
    kind: 'delegated',
    why: "granted to the tenant's workload (Role tenant-workload-reader) in its namespace",
  },
  {
    group: 'discovery.k8s.io',
    resources: ['endpointslices'],
    verbs: READ,
    kind: 'delegated',
    why: "granted to the tenant's Prometheus (service discovery) in its namespace",
  },
];

/** "group resource verb" for each permission of `kinds`, one per line: what tests compare. */
export function expandPermissions(table: readonly ApiPermission[], kinds: readonly ApiPermission['kind'][] = ['calls', 'delegated']): Set<string> {
  const out = new Set<string>();
  for (const row of table) {
    if (!kinds.includes(row.kind)) continue;
    for (const resource of row.resources) for (const verb of row.verbs) out.add(permissionKey(row.group, resource, verb));
  }
  return out;
}

export function permissionKey(group: string, resource: string, verb: string): string {
  return `${group === '' ? 'core' : group} ${resource} ${verb}`;
}

/** One request as the rest client is about to send it. */
export interface OutgoingRequest {
  method: string;
  path: string;
  query?: Readonly<Record<string, string>>;
  contentType?: string;
}

export type RequestGuard = (request: OutgoingRequest) => void;

/**
 * A guard that throws a permanent DriverError for a request outside the `calls` rows of `table`.
 * An apply may create the object, so it needs create as well as patch.
 */
export function permissionGuard(table: readonly ApiPermission[]): RequestGuard {
  const granted = expandPermissions(table, ['calls']);
  return (request) => {
    const attributes = requestAttributes(request.method, request.path, request.query);
    if (!attributes) return;
    const { group, resource, verb } = attributes;
    const needed = verb === 'patch' && request.contentType === 'application/apply-patch+yaml' ? ['patch', 'create'] : [verb];
    const missing = needed.filter((v) => !granted.has(permissionKey(group, resource, v)));
    if (missing.length > 0) {
      throw new DriverError(
        `${request.method} ${request.path}: the control plane's permissions do not include ${missing.join(' and ')} on ${group === '' ? '' : `${group}/`}${resource} ` +
          '(src/drivers/kubernetes/api-permissions.ts; then npm run generate:chart-rbac)',
        false,
      );
    }
  };
}
