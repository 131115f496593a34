/**
 * What the API server's authorizer sees of a request: the (API group, resource, verb) an RBAC
 * rule must grant. Derived from the method and path as the API server derives them
 * (apiserver's RequestInfoFactory), so that the driver can check a request against the
 * control plane's permissions (api-permissions.ts) before it sends it, and a test can map the
 * requests an HTTP fake received the same way.
 *
 * Discovery documents (/api, /api/v1, /apis, /apis/<group>/<version>) are non-resource URLs:
 * every authenticated client may read them (the built-in system:discovery ClusterRole), so they
 * have no attributes here.
 */
export interface RequestAttributes {
  /** '' for the core group. */
  group: string;
  /** The plural, with its subresource when there is one: "services/proxy". */
  resource: string;
  verb: string;
  namespace?: string;
  name?: string;
}

/** Subresources of a Namespace: /api/v1/namespaces/{name}/status is the namespace's, not a collection "status" in it. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * The attributes of one request; undefined for a non-resource URL. `query` decides between list
 * and watch (`watch=true`); DELETE of a collection is deletecollection.
 */
export function requestAttributes(method: string, path: string, query: Readonly<Record<string, string>> = {}): RequestAttributes | undefined {
  const segments = path.split('?')[0]!.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let parts: string[];
  let group: string;
  if (segments[0] === 'api' && segments.length >= 3) {
    group = '';
    parts = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1]!;
    parts = segments.slice(3);
  } else {
    return undefined;
  }

  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1];
    // /namespaces/{name} and /namespaces/{name}/status are the Namespace object itself.
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
  }
  const [plural, name, subresource] = parts;
  if (!plural) return undefined;
  const isNamespaceObject = plural === 'namespaces';
  const objectName = isNamespaceObject ? (namespace ?? name) : name;
  const sub = isNamespaceObject ? parts[2] : subresource;

  const watching = query.watch === 'true' || query.watch === '1';
  let verb: string;
  switch (method.toUpperCase()) {
    case 'GET':
    case 'HEAD':
      verb = objectName === undefined ? (watching ? 'watch' : 'list') : 'get';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = objectName === undefined ? 'deletecollection' : 'delete';
      break;
    default:
      verb = method.toLowerCase();
  }
  return {
    group,
    resource: sub ? `${plural}/${sub}` : plural,
    verb,
    ...(namespace !== undefined && !isNamespaceObject ? { namespace } : {}),
    ...(objectName !== undefined ? { name: objectName } : {}),
  };
}
