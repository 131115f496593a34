import { DriverError } from '../contract.js';

/**
 * Turns what node-postgres throws into a DriverError that says whether trying again can help.
 *
 * Retryable: the server is unreachable, restarting or overloaded (network errors, SQLSTATE
 * classes 08 connection, 53 insufficient resources such as 53300 too_many_connections, 57
 * operator intervention such as 57P01 admin_shutdown, 58 system error), or the statement lost a
 * race (40001 serialization_failure, 40P01 deadlock, 55P03 lock_not_available, 55006
 * object_in_use, and the "already exists" errors two concurrent ensures can hit: the retry
 * observes the object and moves on).
 * Permanent: everything else the server refused on its merits, notably 42501
 * insufficient_privilege and 42601 syntax_error (class 42), class 28 (invalid authorization), 3D000 no such
 * database, 2BP01 dependent objects: the same request would fail the same way.
 */
const RETRYABLE_CLASSES = new Set(['08', '40', '53', '57', '58']);
const RETRYABLE_CODES = new Set(['55P03', '55006', '42710', '42P04', '42P06', '23505']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

export function isRetryablePgError(error: unknown): boolean {
  const code = errorCode(error);
  if (code === undefined) {
    // node-postgres reports lost connections and its own timeouts without a code; a client used
    // after its connection broke says it "is not queryable". (The control plane's own pool is
    // classified the same way in store/database-errors.ts.)
    return /terminated|timeout|Connection ended|not queryable|Client was closed/i.test(error instanceof Error ? error.message : '');
  }
  if (NETWORK_CODES.has(code)) return true;
  // Two catalog updates of one row at once (concurrent GRANTs on one object): the loser may try again.
  if (code === 'XX000' && /tuple concurrently (updated|deleted)/.test(error instanceof Error ? error.message : '')) return true;
  if (!/^[0-9A-Z]{5}$/.test(code)) return false;
  return RETRYABLE_CLASSES.has(code.slice(0, 2)) || RETRYABLE_CODES.has(code);
}

/**
 * `action` says what was being done ("creating role x"); the server's message is appended unless
 * `redact` is set, for statements whose text carried a secret (a syntax error message quotes the
 * text near the error, so it could echo it). Then the cause is dropped too, for the same reason.
 */
export function pgDriverError(action: string, error: unknown, options: { redact?: boolean } = {}): DriverError {
  if (error instanceof DriverError) return error;
  const code = errorCode(error);
  const retryable = isRetryablePgError(error);
  const detail = options.redact ? '' : `: ${error instanceof Error ? error.message : String(error)}`;
  const message = `${action} failed${code === undefined ? '' : ` (${code})`}${detail}`;
  return options.redact ? new DriverError(message, retryable) : new DriverError(message, retryable, { cause: error });
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = error.code;
  return typeof code === 'string' ? code : undefined;
}
