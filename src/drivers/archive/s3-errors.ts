import { DriverError } from '../contract.js';
import { isTransientStatus } from '../http-failures.js';

/**
 * How the S3 archive store classifies what @aws-sdk/client-s3 throws (after the SDK's own few
 * retries): whether the engine's retry can help, and a message naming the bucket.
 *
 * Retryable: no answer (connection refused or reset, DNS, timeouts), 408/429/5xx, S3's throttling
 * and timeout codes, and a body damaged on the way (BadDigest): the same request can succeed.
 * Permanent: a bucket that does not exist, credentials refused or missing, a wrong region or
 * endpoint, and any other 4xx: an operator has to change something first.
 */
const TRANSIENT_CODES = new Set([
  'SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'RequestTimeTooSkewed', 'InternalError',
  'ServiceUnavailable', 'BadDigest', 'XAmzContentSHA256Mismatch', 'IncompleteBody', 'TimeoutError', 'RequestAbortedError',
]);
const DENIED_CODES = new Set(['AccessDenied', 'AllAccessDisabled', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken', 'AccountProblem']);

interface SdkFailure {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The HTTP status of an answer S3 gave, or undefined when there was none (a network failure). */
export function statusOf(error: unknown): number | undefined {
  return (error as SdkFailure | undefined)?.$metadata?.httpStatusCode;
}

/** The S3 error code (NoSuchKey, AccessDenied...), which the SDK puts in `name`. */
export function codeOf(error: unknown): string {
  return (error as SdkFailure | undefined)?.name ?? '';
}

export function s3DriverError(action: string, bucket: string, error: unknown): DriverError {
  const status = statusOf(error);
  const code = codeOf(error);
  const said = error instanceof Error ? error.message : String(error);
  if (status === undefined) {
    // The SDK's credential chain found nothing: configuration, not the network.
    if (code === 'CredentialsProviderError') return new DriverError(`${action}: no credentials for bucket "${bucket}": ${said}`, false);
    // Anything else without an answer (refused, reset, timed out, DNS) may succeed next time.
    return new DriverError(`${action}: bucket "${bucket}" did not answer: ${said}`, true, { cause: error });
  }
  const detail = `(${code || 'no code'}, HTTP ${status})`;
  if (code === 'NoSuchBucket') return new DriverError(`${action}: bucket "${bucket}" does not exist ${detail}`, false);
  if (DENIED_CODES.has(code) || status === 401 || status === 403) {
    return new DriverError(`${action}: access to bucket "${bucket}" denied ${detail}: ${said}`, false);
  }
  if (code === 'PermanentRedirect' || code === 'AuthorizationHeaderMalformed' || status === 301) {
    return new DriverError(`${action}: bucket "${bucket}" is in another region or behind another endpoint ${detail}`, false);
  }
  const retryable = isTransientStatus(status) || TRANSIENT_CODES.has(code);
  return new DriverError(`${action}: bucket "${bucket}" refused ${detail}: ${said}`, retryable);
}
