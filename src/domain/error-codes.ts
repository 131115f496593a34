/**
 * Every error code the API answers with, in one registry (after Fastify's lib/errors.js): the
 * code, its kind and how its message is written. Codes are public: clients branch on them, and
 * the tests pin the bodies, so a code is never renamed and a message changes only on purpose.
 * The kind says what went wrong, not how HTTP says it: api/problem.ts alone maps kinds to
 * statuses, so nothing below the API knows about HTTP.
 *
 * Throw sites name an entry and give its template what it needs (domain/errors.ts builds the
 * error); nothing spells a code as a string anywhere else.
 */
export const ErrorKind = {
  VALIDATION: 'VALIDATION',
  CONFLICT: 'CONFLICT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  /** The request body is of a media type the API does not read. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** The request body is larger than the API accepts (MATIH_BODY_LIMIT_BYTES). */
  CONTENT_TOO_LARGE: 'CONTENT_TOO_LARGE',
  /** The request's headers are larger than the HTTP server reads (Node's 16 KiB). */
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  /** The whole request did not arrive within the server's request timeout. */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** Too many requests, or too many failed attempts (a lockout): wait and send again. */
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  UNAVAILABLE: 'UNAVAILABLE',
  /** Our fault: a bug, logged with the request id. */
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

/** One entry: `message` writes the detail from what the throw site knows. */
export interface ErrorCode<Args extends readonly unknown[] = readonly unknown[], Kind extends ErrorKind = ErrorKind> {
  readonly code: string;
  readonly kind: Kind;
  readonly message: (...args: Args) => string;
}

function define<Kind extends ErrorKind, Args extends readonly unknown[]>(code: string, kind: Kind, message: (...args: Args) => string): ErrorCode<Args, Kind> {
  return { code, kind, message };
}

/** A job as the conflict messages name it. */
interface JobRef {
  id: string;
  kind: string;
  status: string;
}

/** The last job of a teardown that stopped; id and reason unknown when there is no such job. */
export interface StoppedJob {
  id: string | undefined;
  status: string;
  errorMessage: string | null | undefined;
}

/** Operations refused for a tenant that is not ACTIVE (or not in a state they start from). */
export type TenantOperation = 'suspend' | 'change' | 'provision' | 'deprovision';

const stoppedTeardown = (what: string) => (job: StoppedJob, tenantId: string) =>
  `the ${what} job ${job.id ?? '?'} stopped (${job.status}: ${job.errorMessage ?? 'no reason recorded'}); resume it with POST /api/v1/tenants/${tenantId}/provisioning/retry`;

/** A detail given by the throw site as is: the code says what happened, the text says why. */
const asGiven = (fallback: string) => (reason: string = fallback) => reason;

export const ERROR_CODES = {
  // The request itself.
  VALIDATION_FAILED: define('validation_failed', ErrorKind.VALIDATION, (fields: readonly { field: string; message: string }[]) =>
    fields.length === 0 ? 'the request is invalid' : fields.map((e) => `${e.field}: ${e.message}`).join('; '),
  ),
  EMPTY_BODY: define('empty_body', ErrorKind.VALIDATION, () => 'the JSON body is empty'),
  BAD_PATH: define('bad_path', ErrorKind.VALIDATION, (path: string) => `the path ${path} is not a valid URL path (a broken percent-encoding, a character that must be percent-encoded, or a segment too long)`),
  /** PostgreSQL refused a value as text, a date or a number the request's own checks let through: still the request's fault. */
  INVALID_VALUE: define('invalid_value', ErrorKind.VALIDATION, (reason: string) => `a value in the request is not valid: ${reason}`),
  MALFORMED_JSON: define('malformed_json', ErrorKind.VALIDATION, (parserMessage: string) => parserMessage),
  INVALID_CONTENT_LENGTH: define('invalid_content_length', ErrorKind.VALIDATION, (parserMessage: string) => parserMessage),
  INVALID_CONTENT_TYPE: define('invalid_content_type', ErrorKind.VALIDATION, (parserMessage: string) => parserMessage),
  /** Fastify's other client errors keep their own status and code (FST_ERR_ dropped, lower case); this one when they have none. */
  BAD_REQUEST: define('bad_request', ErrorKind.VALIDATION, (fastifyMessage: string) => fastifyMessage),
  UNSUPPORTED_MEDIA_TYPE: define('unsupported_media_type', ErrorKind.UNSUPPORTED_MEDIA_TYPE, () => 'send the body as application/json'),
  BODY_TOO_LARGE: define('body_too_large', ErrorKind.CONTENT_TOO_LARGE, (fastifyMessage: string) => fastifyMessage),
  ROUTE_NOT_FOUND: define('route_not_found', ErrorKind.NOT_FOUND, (method: string, path: string) => `no route ${method} ${path}`),
  /** Node's HTTP parser refused the request before any route saw it (api/input-hygiene.ts, clientErrors). */
  HEADERS_TOO_LARGE: define('headers_too_large', ErrorKind.HEADERS_TOO_LARGE, () => 'the request headers are larger than the server reads'),
  REQUEST_TIMEOUT: define('request_timeout', ErrorKind.REQUEST_TIMEOUT, () => 'the request did not arrive in time; send it again, faster'),

  // Who is asking.
  UNAUTHENTICATED: define('unauthenticated', ErrorKind.UNAUTHENTICATED, asGiven('a valid bearer token is required')),
  FORBIDDEN: define('forbidden', ErrorKind.FORBIDDEN, asGiven('this token may not perform this operation')),
  /** An API key (or a token exchanged for one) used outside its scopes (domain/api-key-scopes.ts). */
  INSUFFICIENT_SCOPE: define('insufficient_scope', ErrorKind.FORBIDDEN, (scope: string) => `this API key lacks the \`${scope}\` scope`),

  // What is asked about.
  NOT_FOUND: define('not_found', ErrorKind.NOT_FOUND, (what: string, id: string) => `${what} ${id} does not exist`),
  NO_LOCAL_CA: define('no_local_ca', ErrorKind.NOT_FOUND, () => 'tenant certificates do not come from the local CA here (MATIH_TLS_DRIVER)'),
  NO_RECONCILER: define('no_reconciler', ErrorKind.NOT_FOUND, () => 'this service runs no reconciler'),
  NO_KEY_ROTATION: define('no_key_rotation', ErrorKind.NOT_FOUND, () => 'this service signs tokens with a fixed key, which does not rotate'),
  NO_SECRET_KEY_ROTATION: define('no_secret_key_rotation', ErrorKind.NOT_FOUND, () => 'this service runs no engine, so it keeps no sealed values to rotate'),
  NO_SIMULATED_CLUSTER: define('no_simulated_cluster', ErrorKind.NOT_FOUND, () => 'this service does not run the simulated cluster'),
  PRECONDITION_FAILED: define('precondition_failed', ErrorKind.PRECONDITION_FAILED, (what: string, current: number, expected: number) =>
    `the ${what} are at version ${current}, not ${expected}; read them again and retry`,
  ),
  ALREADY_EXISTS: define('already_exists', ErrorKind.CONFLICT, (what: string, field: string) => `a ${what} with this ${field} already exists`),

  // The tenant's state does not allow it.
  TENANT_NOT_ACTIVE: define('tenant_not_active', ErrorKind.CONFLICT, (status: string, operation: TenantOperation) => {
    switch (operation) {
      case 'suspend':
        return `only an ACTIVE tenant can be suspended; this one is ${status}`;
      case 'change':
        return `the tenant is ${status}; only an ACTIVE tenant's infrastructure can be changed`;
      case 'provision':
        return `the tenant is ${status}; infrastructure is provisioned for an ACTIVE, DEPROVISIONED or FAILED tenant`;
      case 'deprovision':
        return `the tenant is ${status}; only an ACTIVE, SUSPENDED or FAILED tenant can be deprovisioned`;
    }
  }),
  TENANT_SUSPENDED: define('tenant_suspended', ErrorKind.CONFLICT, (operation: 'provision' | 'change') =>
    operation === 'change' ? 'the tenant is SUSPENDED: reactivate it first, then change its infrastructure' : 'the tenant is SUSPENDED: reactivate it first',
  ),
  TENANT_NOT_SUSPENDED: define('tenant_not_suspended', ErrorKind.CONFLICT, (status: string) => `only a SUSPENDED tenant can be reactivated; this one is ${status}`),
  ALREADY_DELETING: define('already_deleting', ErrorKind.CONFLICT, () => 'the tenant is already being deleted'),
  DELETION_STOPPED: define('deletion_stopped', ErrorKind.CONFLICT, stoppedTeardown('deletion')),
  DEPROVISION_STOPPED: define('deprovision_stopped', ErrorKind.CONFLICT, stoppedTeardown('deprovisioning')),
  TOO_MANY_USERS: define('too_many_users', ErrorKind.CONFLICT, (users: number, tier: string, maxUsers: number) =>
    `the tenant has ${users} users and ${tier} allows at most ${maxUsers}; remove users first`,
  ),
  TIER_MIGRATION_UNSUPPORTED: define('tier_migration_unsupported', ErrorKind.CONFLICT, (from: string, to: string, toDedicated: boolean) =>
    `changing the tier from ${from} to ${to} moves the tenant ${toDedicated ? 'from the shared cluster to a dedicated one' : 'from its dedicated cluster to the shared one'}: that is a migration of its data and workloads, which this service does not do`,
  ),
  MIGRATION_UNSUPPORTED: define('migration_unsupported', ErrorKind.CONFLICT, (moves: readonly string[], why: string) =>
    `moving the tenant from ${moves.join(' and ')} is a migration, which this service does not do (${why})`,
  ),

  // The tenant's jobs: one at a time, and only some can be retried or cancelled.
  JOB_IN_FLIGHT: define('job_in_flight', ErrorKind.CONFLICT, (job: JobRef) => `job ${job.id} (${job.kind}, ${job.status}) is in flight for this tenant; wait for it or cancel it`),
  JOB_NOT_FAILED: define('job_not_failed', ErrorKind.CONFLICT, (status: string) => `the provisioning job is ${status}; only a FAILED or CANCELLED job can be retried`),
  NOTHING_TO_RETRY: define('nothing_to_retry', ErrorKind.CONFLICT, () => 'every step of the job is complete; nothing to retry'),
  JOB_NOT_RUNNING: define('job_not_running', ErrorKind.CONFLICT, (status: string) => `the provisioning job is ${status}; only a PENDING or RUNNING job can be cancelled`),

  // Single sign-on through an OpenID Provider (MATIH_OIDC_*).
  NO_OIDC: define('no_oidc', ErrorKind.NOT_FOUND, () => 'this service has no OpenID Provider to sign in with (MATIH_OIDC_ISSUER and MATIH_OIDC_CLIENT_ID)'),
  OIDC_REFUSED: define('oidc_refused', ErrorKind.VALIDATION, (error: string, description?: string) => `the OpenID Provider refused: ${error}${description ? ` (${description})` : ''}`),
  OIDC_UNAVAILABLE: define('oidc_unavailable', ErrorKind.UNAVAILABLE, (what: string) => `the OpenID Provider could not be reached for ${what}; try again shortly`),

  // Rate limits and lockouts (api/request-limits.ts); each answer says when to come back (Retry-After).
  RATE_LIMITED: define('rate_limited', ErrorKind.TOO_MANY_REQUESTS, (limits: string, retryAfterSeconds: number) =>
    `too many requests: ${limits}; try again in ${retryAfterSeconds} s`,
  ),
  LOGIN_LOCKED_OUT: define('login_locked_out', ErrorKind.TOO_MANY_REQUESTS, (failures: number, windowSeconds: number, retryAfterSeconds: number) =>
    `${failures} refused credentials from this address within ${windowSeconds} s: its refused sign-ins are answered 429 until the window ends; try again in ${retryAfterSeconds} s`,
  ),
  DELETION_LOCKED_OUT: define('deletion_locked_out', ErrorKind.TOO_MANY_REQUESTS, (failures: number, windowSeconds: number, retryAfterSeconds: number) =>
    `${failures} wrong confirmation codes for this tenant within ${windowSeconds} s: its deletion is locked out, whatever the code; try again in ${retryAfterSeconds} s`,
  ),

  // The service.
  DATABASE_UNAVAILABLE: define('database_unavailable', ErrorKind.UNAVAILABLE, () =>
    'the database cannot be reached right now, so the request may not have been applied; try again shortly',
  ),
  DATABASE_CONFLICT: define('database_conflict', ErrorKind.UNAVAILABLE, () => 'the request collided with another change to the same tenant twice; send it again'),
  INTERNAL_ERROR: define('internal_error', ErrorKind.INTERNAL, () => 'an unexpected error occurred; it has been logged with this request id'),
} as const;
