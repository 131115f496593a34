import { ERROR_CODES, type ErrorCode, ErrorKind } from './error-codes.js';

/**
 * Errors that cross layers carry a stable `code` and a `kind`, both from the registry
 * (error-codes.ts); the API maps kinds to HTTP statuses in one place (api/problem.ts), so
 * nothing below the API knows about HTTP.
 */
export { ErrorKind };

/** One problem with one input field; `field` is a dotted path such as `branding.primaryColor`. */
export interface FieldError {
  field: string;
  message: string;
  /** Where the field was sent (body, query, headers); body when unsaid. */
  in?: string;
}

export class MatihError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;

  constructor(
    definition: Pick<ErrorCode, 'code' | 'kind'>,
    message: string,
    readonly fieldErrors: readonly FieldError[] = [],
  ) {
    super(message);
    this.kind = definition.kind;
    this.code = definition.code;
    this.name = new.target.name;
  }
}

/** The error of a registry entry, its message written by the entry's template. */
export function matihError<Args extends readonly unknown[]>(definition: ErrorCode<Args>, ...args: Args): MatihError {
  return new MatihError(definition, definition.message(...args));
}

export class ValidationError extends MatihError {
  constructor(fieldErrors: readonly FieldError[]) {
    super(ERROR_CODES.VALIDATION_FAILED, ERROR_CODES.VALIDATION_FAILED.message(fieldErrors), fieldErrors);
  }
}

/** A conflict names the field whose value is taken or whose state forbids the request. */
export class ConflictError<Args extends readonly unknown[] = readonly unknown[]> extends MatihError {
  constructor(
    readonly field: string,
    definition: ErrorCode<Args, typeof ErrorKind.CONFLICT>,
    ...args: Args
  ) {
    const message = definition.message(...args);
    super(definition, message, [{ field, message }]);
  }
}

export class NotFoundError extends MatihError {
  constructor(what: string, id: string) {
    super(ERROR_CODES.NOT_FOUND, ERROR_CODES.NOT_FOUND.message(what, id));
  }
}

export class UnauthenticatedError extends MatihError {
  /** `reason` unsaid: a valid bearer token is required. */
  constructor(reason?: string) {
    super(ERROR_CODES.UNAUTHENTICATED, ERROR_CODES.UNAUTHENTICATED.message(reason));
  }
}

export class ForbiddenError extends MatihError {
  /** `reason` unsaid: this token may not perform this operation. */
  constructor(reason?: string) {
    super(ERROR_CODES.FORBIDDEN, ERROR_CODES.FORBIDDEN.message(reason));
  }
}

/** A rate limit or a lockout: the request may be sent again after `retryAfterSeconds` (Retry-After). */
export class TooManyRequestsError<Args extends readonly unknown[] = readonly unknown[]> extends MatihError {
  constructor(
    readonly retryAfterSeconds: number,
    definition: ErrorCode<Args, typeof ErrorKind.TOO_MANY_REQUESTS>,
    ...args: Args
  ) {
    super(definition, definition.message(...args));
  }
}

/** An If-Match that names an older version of `what` (settings, feature overrides). */
export class PreconditionFailedError extends MatihError {
  constructor(what: string, current: number, expected: number) {
    super(ERROR_CODES.PRECONDITION_FAILED, ERROR_CODES.PRECONDITION_FAILED.message(what, current, expected));
  }
}
