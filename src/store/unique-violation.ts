import { ERROR_CODES } from '../domain/error-codes.js';
import { ConflictError } from '../domain/errors.js';

/**
 * The database is the judge of uniqueness (a check before the insert races). A unique violation
 * (SQLSTATE 23505) on a known constraint becomes a conflict naming the field the caller sent.
 */
export function asConflict(error: unknown, fieldsByConstraint: Readonly<Record<string, string>>, what: string): unknown {
  if (!isUniqueViolation(error)) return error;
  const field = error.constraint ? fieldsByConstraint[error.constraint] : undefined;
  if (!field) return error;
  return new ConflictError(field, ERROR_CODES.ALREADY_EXISTS, what, field);
}

export function isUniqueViolation(error: unknown): error is { code: string; constraint?: string } {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
