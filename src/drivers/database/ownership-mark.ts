import { DriverError } from '../contract.js';
import { quoteLiteral } from './identifiers.js';

/**
 * Every role, schema and database the driver creates carries a comment naming its tenant. Names
 * are unique per slug, but a slug can be reused after a tenant is deleted: if that tenant's drop
 * never ran (or failed), the new tenant would adopt the old one's data, and a late drop of the old
 * tenant would destroy the new one's. The mark turns both into a permanent error instead.
 *
 * An object without a comment is adopted (and marked): CREATE DATABASE cannot share a
 * transaction with its COMMENT, so a crash between the two must not wedge the tenant forever.
 */
export function ownershipMark(tenantId: string): string {
  return `matih tenant ${tenantId}`;
}

/** Throws when `comment` marks the object as another tenant's (or as anything else). */
export function checkOwnership(kind: string, name: string, comment: string | null, tenantId: string): void {
  if (comment === null || comment === ownershipMark(tenantId)) return;
  throw new DriverError(
    `${kind} ${JSON.stringify(name)} exists but is not tenant ${tenantId}'s (its comment says ${JSON.stringify(comment.slice(0, 80))}); refusing to adopt or drop it`,
    false,
  );
}

/**
 * The SQLSTATE the setup scripts (tenant-setup-script.ts) raise when an object is not the
 * tenant's: a class of our own, which no server error uses and pg-errors.ts treats as permanent.
 * The script sends the facts as JSON in the error's DETAIL; notOursError turns them into the very
 * error checkOwnership throws, so the rule and its message stay here.
 */
export const NOT_OURS_SQLSTATE = 'MT001';

/**
 * PL/pgSQL that raises NOT_OURS_SQLSTATE when the comment (a PL/pgSQL expression) marks the
 * object named by `nameExpression` as anything but the tenant's. A missing comment passes.
 */
export function raiseUnlessTenants(kind: string, nameExpression: string, commentExpression: string, tenantId: string): string {
  return `IF ${commentExpression} IS NOT NULL AND ${commentExpression} <> ${quoteLiteral(ownershipMark(tenantId))} THEN
    RAISE EXCEPTION USING ERRCODE = '${NOT_OURS_SQLSTATE}', MESSAGE = 'not the tenant''s',
      DETAIL = json_build_object('kind', ${quoteLiteral(kind)}, 'name', ${nameExpression}, 'comment', ${commentExpression})::text;
  END IF;`;
}

/** The permanent error of a NOT_OURS_SQLSTATE a script raised for `tenantId`; undefined for any other error. */
export function notOursError(error: unknown, tenantId: string): DriverError | undefined {
  if (typeof error !== 'object' || error === null || (error as { code?: unknown }).code !== NOT_OURS_SQLSTATE) return undefined;
  const detail = (error as { detail?: unknown }).detail;
  try {
    const facts = JSON.parse(typeof detail === 'string' ? detail : '') as { kind?: unknown; name?: unknown; comment?: unknown };
    checkOwnership(String(facts.kind), String(facts.name), typeof facts.comment === 'string' ? facts.comment : '?', tenantId);
  } catch (refusal) {
    if (refusal instanceof DriverError) return refusal;
  }
  return new DriverError(`an object of tenant ${tenantId} exists but is not the tenant's; refusing to adopt or drop it`, false);
}
