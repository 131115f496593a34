import { DriverError } from '../contract.js';

/**
 * What a failed call to Azure DNS means for the engine. The SDK throws RestError (from
 * @azure/core-rest-pipeline, with the HTTP status and the service's error code and message),
 * @azure/identity's errors when no token can be had, and AbortError/TimeoutError when our deadline
 * passes. They are recognised by shape and name, not by class, so this file needs no transitive
 * dependency.
 *
 * Nothing of the error object itself is kept (no `cause`): a RestError carries the request, and
 * the request carries the Authorization header. The message is rebuilt from the status, the
 * service's code and message, cut short, with anything that looks like a token blotted out.
 */

/** A request that was answered: its status, and Azure's error code ("ResourceNotFound"). */
export interface AzureHttpFailure {
  status: number;
  code: string | undefined;
}

const MAX_MESSAGE = 300;

// Statuses after which the same request can succeed: timeout, throttling, the service's trouble.
const RETRYABLE_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;
// ARM codes of conflicts that pass on their own (another write to the same zone in flight).
const RETRYABLE_CODES = new Set(['AnotherOperationInProgress', 'OperationNotAllowedWhileInProgress', 'RetryableError']);
// @azure/identity: nothing configured or nothing answers for the credential chain; retrying the
// same configuration gives the same answer.
const CREDENTIAL_UNAVAILABLE = new Set(['CredentialUnavailableError', 'AggregateAuthenticationError', 'AuthenticationRequiredError']);

/** The status and code of an HTTP answer the SDK turned into an error; undefined for anything else. */
export function httpFailure(error: unknown): AzureHttpFailure | undefined {
  if (!(error instanceof Error) || error.name !== 'RestError') return undefined;
  const { statusCode, code } = error as Error & { statusCode?: unknown; code?: unknown };
  if (typeof statusCode !== 'number') return undefined;
  return { status: statusCode, code: typeof code === 'string' ? code : undefined };
}

/**
 * The DriverError for `error`, thrown while doing `action` ("creating zone acme.matih.ai").
 * `timeoutMs` is set when our own deadline for the call has passed.
 */
export function azureDriverError(action: string, error: unknown, timeoutMs?: number): DriverError {
  if (timeoutMs !== undefined) {
    return new DriverError(`Azure DNS: ${action} did not finish within ${duration(timeoutMs)}`, true);
  }
  const failure = httpFailure(error);
  const message = error instanceof Error ? clean(error.message) : 'unknown error';
  if (failure !== undefined) {
    const retryable = RETRYABLE_STATUS(failure.status) || (failure.code !== undefined && RETRYABLE_CODES.has(failure.code));
    const code = failure.code === undefined ? '' : ` ${failure.code}`;
    return new DriverError(`Azure DNS: ${action} failed (HTTP ${failure.status}${code}): ${message}`, retryable);
  }
  const name = error instanceof Error ? error.name : typeof error;
  if (CREDENTIAL_UNAVAILABLE.has(name)) {
    return new DriverError(`Azure DNS: ${action} failed: no Azure credential could be obtained (${name}): ${message}`, false);
  }
  if (name === 'AuthenticationError') {
    // The identity provider answered; its status says whether that answer can change.
    const status = (error as Error & { statusCode?: unknown }).statusCode;
    const retryable = typeof status === 'number' && RETRYABLE_STATUS(status);
    return new DriverError(`Azure DNS: ${action} failed: Azure authentication failed: ${message}`, retryable);
  }
  // No answer at all: connection refused or reset, DNS, TLS, a poller that gave up. Try again.
  return new DriverError(`Azure DNS: ${action} failed (${name}): ${message}`, true);
}

/** One line, short, and without anything shaped like a bearer token or a JWT. */
export function clean(text: string): string {
  const redacted = text
    .replace(/Bearer\s+[\w\-.~+/]+=*/gi, 'Bearer [redacted]')
    .replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  return redacted.length > MAX_MESSAGE ? `${redacted.slice(0, MAX_MESSAGE)}...` : redacted;
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
