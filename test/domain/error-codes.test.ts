import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ErrorKind } from '../../src/domain/error-codes.js';
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationError, matihError } from '../../src/domain/errors.js';

describe('the error code registry', () => {
  it('names each entry after its code, and no code twice', () => {
    const entries = Object.entries(ERROR_CODES);
    for (const [name, entry] of entries) expect(name).toBe(entry.code.toUpperCase());
    expect(new Set(entries.map(([, entry]) => entry.code)).size).toBe(entries.length);
    for (const [, entry] of entries) expect(Object.values(ErrorKind)).toContain(entry.kind);
  });

  it('builds errors with the code, kind and message of their entry', () => {
    expect(new NotFoundError('tenant', 't-1')).toMatchObject({ kind: 'NOT_FOUND', code: 'not_found', message: 'tenant t-1 does not exist' });
    expect(new UnauthenticatedError()).toMatchObject({ code: 'unauthenticated', message: 'a valid bearer token is required' });
    expect(new ValidationError([{ field: 'slug', message: 'is required' }, { field: 'tier', message: 'is unknown' }])).toMatchObject({
      kind: 'VALIDATION',
      code: 'validation_failed',
      message: 'slug: is required; tier: is unknown',
    });
    const conflict = new ConflictError('status', ERROR_CODES.TENANT_NOT_ACTIVE, 'SUSPENDED', 'suspend');
    expect(conflict).toMatchObject({ kind: 'CONFLICT', code: 'tenant_not_active', field: 'status', message: 'only an ACTIVE tenant can be suspended; this one is SUSPENDED' });
    expect(conflict.fieldErrors).toEqual([{ field: 'status', message: conflict.message }]);
    expect(matihError(ERROR_CODES.NO_RECONCILER)).toMatchObject({ kind: 'NOT_FOUND', code: 'no_reconciler', message: 'this service runs no reconciler', fieldErrors: [] });
  });
});
