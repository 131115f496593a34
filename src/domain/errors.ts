/**
 * Errors that cross layers carry a stable `code` and a `kind`; the API maps kinds to HTTP
 * statuses in one place (api/problem.ts), so nothing below the API knows about HTTP.
 */
export const ErrorKind = {
  VALIDATION: 'VALIDATION',
  CONFLICT: 'CONFLICT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  UNAVAILABLE: 'UNAVAILABLE',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

/** One problem with one input field; `field` is a dotted path such as `branding.primaryColor`. */
export interface FieldError {
  field: string;
  message: string;
  /** Where the field was sent (body, query, headers); body when unsaid. */
  in?: string;
}

export class MatihError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly fieldErrors: readonly FieldError[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends MatihError {
  constructor(fieldErrors: readonly FieldError[], message = describeFields(fieldErrors)) {
    super(ErrorKind.VALIDATION, 'validation_failed', message, fieldErrors);
  }
}

/** A uniqueness conflict names the field whose value is already taken. */
export class ConflictError extends MatihError {
  constructor(
    readonly field: string,
    message: string,
    code = 'conflict',
  ) {
    super(ErrorKind.CONFLICT, code, message, [{ field, message }]);
  }
}

export class NotFoundError extends MatihError {
  constructor(what: string, id: string) {
    super(ErrorKind.NOT_FOUND, 'not_found', `${what} ${id} does not exist`);
  }
}

export class UnauthenticatedError extends MatihError {
  constructor(message = 'a valid bearer token is required') {
    super(ErrorKind.UNAUTHENTICATED, 'unauthenticated', message);
  }
}

export class ForbiddenError extends MatihError {
  constructor(message = 'this token may not perform this operation') {
    super(ErrorKind.FORBIDDEN, 'forbidden', message);
  }
}

export class PreconditionFailedError extends MatihError {
  constructor(message: string) {
    super(ErrorKind.PRECONDITION_FAILED, 'precondition_failed', message);
  }
}

function describeFields(errors: readonly FieldError[]): string {
  if (errors.length === 0) return 'the request is invalid';
  return errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}
