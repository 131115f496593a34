/**
 * Whether an error says the control-plane database could not be reached or dropped the session
 * (as opposed to refusing a statement on its merits). Such an error is nobody's fault and goes
 * away: the API answers 503 with Retry-After, the engine hands the job back to be resumed, and
 * readiness goes false until a probe gets through.
 *
 * SQLSTATE class 08 (connection exception), 57P01-57P03 (admin or crash shutdown, cannot connect
 * now: a server stopping, restarting or recovering), 53300 (too many connections); socket errors;
 * and node-postgres's own messages for a connection that ended or did not come in time. The
 * tenant database driver classifies its errors for retry in drivers/database/pg-errors.ts (a
 * superset: races a retry can win count there too).
 */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);
const LOST_MESSAGES = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Connection ended unexpectedly|Client was closed and is not queryable/i;

/** SQLSTATEs of a transaction the server gave up on that can succeed when run again. */
const RETRY_CODES = new Set(['40001', '40P01']);

/** A deadlock or a serialization failure: the transaction was rolled back whole because of another one. */
export function isConflictError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if ('code' in error && typeof error.code === 'string' && RETRY_CODES.has(error.code)) return true;
  return 'cause' in error && error.cause !== error && isConflictError(error.cause);
}

/**
 * Whether running the whole transaction again may succeed: a serialization failure or a deadlock
 * (40001, 40P01), or the database away. Never a constraint violation or a statement refused.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  return isDatabaseUnavailable(error) || isConflictError(error);
}

export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (code !== undefined && (UNAVAILABLE_CODES.has(code) || SOCKET_CODES.has(code) || code.startsWith('08'))) return true;
  if (error instanceof Error && LOST_MESSAGES.test(error.message)) return true;
  // Kysely and our own wrappers keep what the driver threw as the cause.
  return 'cause' in error && error.cause !== error && isDatabaseUnavailable(error.cause);
}

/**
 * SQLSTATEs of a value PostgreSQL refuses as text, a number or a date (22021 a byte sequence
 * invalid in the encoding, 22P05 a character it cannot hold such as NUL, 22P02 invalid text for
 * a type, 22008 a date or time out of range): a request the API's own checks let through but
 * still the request's fault, answered 400 rather than 500 (the API's last net).
 */
const INVALID_VALUE_CODES = new Set(['22021', '22P05', '22P02', '22008']);

export function invalidValueOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  if ('code' in error && typeof error.code === 'string' && INVALID_VALUE_CODES.has(error.code)) return error instanceof Error ? error.message : error.code;
  return 'cause' in error && error.cause !== error ? invalidValueOf(error.cause) : undefined;
}
