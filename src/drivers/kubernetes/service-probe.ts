import { STATUS_CODES } from 'node:http';
import { DriverError, type ProbeResult, type ServiceEndpoint } from '../contract.js';
import { KubeApiError, redact, retryAfterSeconds } from './error-classification.js';
import type { RawResponse } from './kube-rest-client.js';

/**
 * ClusterDriver.probe's two halves that need no cluster: the service proxy path for an endpoint,
 * and what an answer through it means.
 *
 * The API server's service proxy (`/api/v1/namespaces/{ns}/services/[https:]{name}:{port}/proxy/...`)
 * answers with the service's own status and body when it reaches a ready endpoint, and with a
 * Kubernetes Status of its own when it does not: 503 "no endpoints available for service" (no
 * ready pod), 503 "error trying to reach service: dial tcp ..." (a pod that does not listen), 502
 * (a tunnel to the node failed), 404 (no such Service). Those are answers about the service.
 * Answers about us or about the API server itself are not: 401/403 (our credentials, or RBAC
 * without "get" on services/proxy) and 429 (priority and fairness shedding load).
 */

/** How the API server talks to the service: plain HTTP (the default, no prefix) or HTTPS (an "https:" prefix). */
export type ProbeScheme = 'http' | 'https';

/** What a detail or an error message keeps of an answer's body. */
export const MAX_REASON_CHARS = 200;

/** What the driver keeps of a probe's answer: enough for a Status message, never a whole page. */
export const MAX_PROBE_BODY_CHARS = 4096;

/** A namespace name (RFC 1123 label). */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A Service name (RFC 1035 label). */
const SERVICE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** A port name (IANA_SVC_NAME): lower-case letters, digits and single hyphens, at least one letter, 15 at most. */
const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * 5xx the API server sends about itself, in a Status, rather than about the service: 500 (its
 * storage failed reading the Service), 504 and 408 (it timed out). 502 and 503 are not here: in a
 * Status they are the proxy failing to reach the service, which is what a probe asks about.
 */
const API_SERVER_TROUBLE = new Set([408, 500, 504]);

/** How messages name an endpoint: "matih-acme/web:8080". */
export function describeEndpoint(endpoint: ServiceEndpoint): string {
  return `${endpoint.namespace}/${endpoint.name}:${endpoint.port}`;
}

/**
 * The service proxy path for `path` on `endpoint`. `path` is decoded (it names what the service
 * sees) and starts with '/'; each segment is percent-encoded. Refuses, with a permanent
 * DriverError, anything that could make the URL mean something else: names that are not
 * Kubernetes names, a query or fragment, and "." or ".." segments (URL normalisation would take
 * them out of the proxy path, onto the API server's own resources).
 */
export function serviceProxyPath(endpoint: ServiceEndpoint, path: string, scheme: ProbeScheme = 'http'): string {
  const refuse = (what: string, value: unknown) => new DriverError(`probe: ${what}: ${String(JSON.stringify(value)).slice(0, 100)}`, false);
  const { namespace, name, port } = endpoint;
  if (typeof namespace !== 'string' || namespace.length > 63 || !NAMESPACE.test(namespace)) throw refuse('not a namespace name', namespace);
  if (typeof name !== 'string' || name.length > 63 || !SERVICE_NAME.test(name)) throw refuse('not a Service name', name);
  if (!isPort(port)) throw refuse('not a port number (1-65535) or port name', port);
  if (typeof path !== 'string' || !path.startsWith('/')) throw refuse('the path must start with "/"', path);
  if (/[?#]/.test(path)) throw refuse('the path must not carry a query or a fragment', path);
  const segments = path.slice(1).split('/');
  if (segments.some((s) => s === '.' || s === '..')) throw refuse('the path must not contain "." or ".." segments', path);

  const target = `${scheme === 'https' ? 'https:' : ''}${encodeURIComponent(name)}:${encodeURIComponent(String(port))}`;
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${target}/proxy/${segments.map(encodeURIComponent).join('/')}`;
}

function isPort(port: unknown): boolean {
  if (typeof port === 'number') return Number.isInteger(port) && port >= 1 && port <= 65535;
  if (typeof port !== 'string') return false;
  if (/^[0-9]+$/.test(port)) return isPort(Number(port));
  return port.length <= 15 && PORT_NAME.test(port);
}

/**
 * What one answer through the service proxy means. 2xx: healthy. 401 and 403: a permanent
 * KubeApiError (asking again will not help). 429, the API server's own trouble (500, 504 or 408
 * in a Status) and any Status that asks to retry after a while: a retryable KubeApiError.
 * Everything else, the proxy's 502/503/404 and the service's own non-2xx, is an unhealthy answer
 * with a short reason. `action` starts error messages ("probe matih-acme/web:8080/health").
 */
export function probeResultOf(answer: RawResponse, action: string): ProbeResult {
  const { status } = answer;
  // The body of a 2xx is the service's business: never kept.
  if (status >= 200 && status <= 299) return { healthy: true, status };

  const apiStatus = kubernetesStatus(answer.body);
  const reason = shortReason(answer.body, apiStatus);
  const headline = `${status} ${STATUS_CODES[status] ?? 'error'}${reason ? `: ${reason}` : ''}`;

  if (status === 401 || status === 403) {
    const hint = apiStatus && status === 403 ? ' (the control plane needs "get" on services/proxy in this namespace)' : '';
    throw new KubeApiError(redact(`${action}: ${headline}${hint}`), false, status);
  }
  // Retry-After of the service's own answer (a 503 for maintenance) is the service's business;
  // of a Status or a 429 it is the API server asking us to come back.
  const retryAfter = apiStatus || status === 429 ? retryAfterSeconds(answer.headers, apiStatus) : undefined;
  if (status === 429 || (apiStatus && (API_SERVER_TROUBLE.has(status) || retryAfter !== undefined))) {
    const wait = retryAfter !== undefined ? ` (the API server asks to retry after ${retryAfter} s)` : '';
    throw new KubeApiError(redact(`${action}: ${headline}${wait}`), true, status, retryAfter);
  }
  // The status is beside it in the result: the detail is the reason alone.
  return { healthy: false, status, detail: redact(reason || (STATUS_CODES[status] ?? 'no reason given')) };
}

interface KubernetesStatus {
  kind: 'Status';
  message?: unknown;
  details?: unknown;
}

/** The body as a Kubernetes Status (the API server speaking, not the service), or undefined. */
function kubernetesStatus(body: string): KubernetesStatus | undefined {
  if (!body.trimStart().startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(body) as Partial<KubernetesStatus> & { apiVersion?: unknown };
    return parsed?.kind === 'Status' && parsed.apiVersion === 'v1' ? (parsed as KubernetesStatus) : undefined;
  } catch {
    return undefined;
  }
}

/** The Status message, or the start of the body on one line; at most MAX_REASON_CHARS. */
function shortReason(body: string, apiStatus: KubernetesStatus | undefined): string {
  const text = apiStatus ? (typeof apiStatus.message === 'string' ? apiStatus.message : '') : body;
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > MAX_REASON_CHARS ? `${line.slice(0, MAX_REASON_CHARS - 1)}…` : line;
}
