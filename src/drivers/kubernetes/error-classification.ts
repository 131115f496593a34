import { STATUS_CODES } from 'node:http';
import { ApiException } from '@kubernetes/client-node';
import { DriverError } from '../contract.js';
import { isTransientStatus } from '../http-failures.js';

/** A refusal by the API server: its HTTP status, and how long it asked us to wait (429, some 503s). */
export class KubeApiError extends DriverError {
  constructor(
    message: string,
    retryable: boolean,
    readonly status: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(message, retryable);
    this.name = 'KubeApiError';
  }
}

/** HTTP status of an API server refusal, or undefined when `error` is something else. */
export function apiStatus(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/**
 * Whether trying again can help (DESIGN.md section 4), decided once for every verb.
 *
 * Retryable: 409 (another writer got there first; server-side apply with force rarely sees it,
 * a delete racing a finalizer can), 429 (API priority and fairness shedding load), 5xx and 408
 * (the control plane is restarting or overloaded), 410 (a list continue token expired), network
 * errors, and 404 on a write (the namespace or the CRD it needs is not there yet; reads and
 * deletes handle 404 themselves before they get here).
 * Permanent: every other 4xx: 400 and 422 (the manifest is wrong: the same bytes fail the same
 * way), 401 (the credentials are wrong), 403 (RBAC says no), 405/415 (we built a bad request).
 *
 * Messages name the action and carry the API server's own Status message, which says what is
 * wrong. They never carry request headers, bodies or URLs with credentials, and no `cause` is
 * attached: an ApiException holds the response verbatim and a logger would print all of it.
 */
export function classifyKubeError(error: unknown, action: string): DriverError {
  if (error instanceof DriverError) return error;
  if (error instanceof ApiException) return fromApiException(error, action);
  return new DriverError(`${action}: ${describeTransportError(error)}`, true);
}

function fromApiException(error: ApiException<unknown>, action: string): KubeApiError {
  const status = error.code;
  const reason = apiServerMessage(error.body);
  const retryAfter = retryAfterSeconds(error.headers, error.body);
  const retryable = status === 404 || status === 409 || status === 410 || isTransientStatus(status);
  const wait = retryAfter !== undefined && retryable ? ` (the API server asks to retry after ${retryAfter} s)` : '';
  const message = `${action}: ${status} ${STATUS_CODES[status] ?? 'error'}${reason ? `: ${reason}` : ''}${wait}`;
  return new KubeApiError(redact(message), retryable, status, retryAfter);
}

/** A Status object's message when the body is one; otherwise the start of whatever text came back. */
function apiServerMessage(body: unknown): string {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return body.trim().slice(0, 300);
    }
  }
  const message = (parsed as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : '';
}

/** Retry-After in seconds (RFC 9110 allows a date too), or the Status's details.retryAfterSeconds. */
export function retryAfterSeconds(headers: Readonly<Record<string, string>> | undefined, body: unknown): number | undefined {
  const header = headers?.['retry-after'] ?? headers?.['Retry-After'];
  if (header !== undefined) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { details?: { retryAfterSeconds?: unknown } } | null;
    const fromStatus = parsed?.details?.retryAfterSeconds;
    return typeof fromStatus === 'number' && fromStatus >= 0 ? fromStatus : undefined;
  } catch {
    return undefined;
  }
}

/**
 * node-fetch says "request to <url> failed, reason: connect ECONNREFUSED"; the code is what an
 * operator needs. An abort is our own request timeout (or the caller giving up).
 */
function describeTransportError(error: unknown): string {
  if (!(error instanceof Error)) return redact(String(error));
  if (error.name === 'AbortError') return 'the request was aborted before the API server answered';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return `the connection to the API server failed (${code})`;
  return redact(error.message);
}

/**
 * Belt and braces: messages are built from parts that hold no credentials, but an auth plugin's
 * or a proxy's error text is not ours to trust.
 */
export function redact(text: string): string {
  return text
    .replace(/\b(Bearer|Basic)\s+[^\s"',;]+/gi, '$1 [redacted]')
    .replace(/\b(token|access_token|password|secret|client_secret)=([^&\s"',;]+)/gi, '$1=[redacted]')
    .replace(/\/\/[^/@\s]+:[^/@\s]+@/g, '//[redacted]@');
}
