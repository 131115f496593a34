import { ErrorCode, NatsError } from 'nats';
import { DriverError } from '../contract.js';
import { isTransientStatus } from '../http-failures.js';

/**
 * Failures a person has to fix: the account may not publish there, the credentials are wrong, or
 * the message itself is malformed. Everything else (no responders, timeouts, a connection lost,
 * refused or closed while reconnecting) can pass on its own, so it is retryable.
 */
const PERMANENT_CODES: ReadonlySet<string> = new Set([
  ErrorCode.PermissionsViolation,
  ErrorCode.AuthorizationViolation,
  ErrorCode.BadAuthentication,
  ErrorCode.BadCreds,
  ErrorCode.BadSubject,
  ErrorCode.BadHeader,
  ErrorCode.BadPayload,
  ErrorCode.MaxPayloadExceeded,
  ErrorCode.InvalidOption,
  ErrorCode.ServerOptionNotAvailable,
]);

/** What went wrong with the NATS call `what`, as a DriverError that says whether a retry helps. */
export function natsDriverError(error: unknown, what: string): DriverError {
  if (error instanceof DriverError) return error;
  if (error instanceof NatsError) {
    // A JetStream API answer (stream add, publish with an expectation) carries an HTTP-like code.
    const api = error.api_error;
    if (api) {
      const retryable = isTransientStatus(api.code);
      return new DriverError(`${what}: JetStream ${api.code} ${api.description} (err_code ${api.err_code ?? '?'})`, retryable, { cause: error });
    }
    return new DriverError(`${what}: ${describe(error)}`, !PERMANENT_CODES.has(error.code), { cause: error });
  }
  // Unclassified (a socket error before nats.js wrapped it): most likely transient.
  return new DriverError(`${what}: ${error instanceof Error ? error.message : String(error)}`, true, { cause: error });
}

/** Clearer words for the codes nats.js reports bare (its message is then just the code). */
const DESCRIPTIONS: ReadonlyMap<string, string> = new Map<string, string>([
  [ErrorCode.NoResponders, 'no responders (no JetStream stream captures the subject, or JetStream is not enabled)'],
  [ErrorCode.Timeout, 'no answer in time (timeout)'],
]);

function describe(error: NatsError): string {
  return DESCRIPTIONS.get(error.code) ?? (error.message === error.code ? error.code : `${error.code} (${error.message})`);
}
