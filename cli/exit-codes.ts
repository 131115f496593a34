/**
 * What matihctl's exit status means. Scripts branch on these, so they never change meaning:
 * a new situation gets a new number rather than reusing one.
 */
export const ExitCode = {
  OK: 0,
  /**
   * The operation ran and did not succeed: a watched job FAILED or was CANCELLED, the user
   * declined, a secret-key rotation left values that still need a previous key, or a bug.
   */
  FAILED: 1,
  /** The command line is wrong: unknown flag, missing argument, bad value. Nothing was sent. */
  USAGE: 2,
  /** The API refused the request (4xx other than the ones below), e.g. a validation error. */
  REJECTED: 3,
  /** No credential, or the API said 401 or 403. */
  AUTH: 4,
  /** The API said 404: no such tenant (or hidden from this caller). */
  NOT_FOUND: 5,
  /** The API said 409: the tenant's state does not allow it, or the value is taken. */
  CONFLICT: 6,
  /** The server could not be reached, answered 5xx, or the progress stream could not be kept. */
  UNAVAILABLE: 7,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_HELP = `Exit codes:
  0  success
  1  operation failed: a watched job ended FAILED or CANCELLED, the confirmation was declined,
     values still need MATIH_SECRET_KEY_PREVIOUS (admin rotate-secret-key),
     or matihctl itself failed (error internal)
  2  usage error: unknown flag, missing or bad argument (nothing was sent)
  3  the API rejected the request (4xx, e.g. a validation error; field messages on stderr)
  4  authentication: not logged in, or the API said 401/403
  5  not found (404): no such tenant
  6  conflict (409): the tenant's state does not allow it, or the value is taken
  7  server unreachable, 5xx, or the progress stream was lost`;

/** The exit code for an HTTP error status. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return ExitCode.AUTH;
  if (status === 404) return ExitCode.NOT_FOUND;
  if (status === 409) return ExitCode.CONFLICT;
  if (status >= 400 && status < 500) return ExitCode.REJECTED;
  return ExitCode.UNAVAILABLE;
}
