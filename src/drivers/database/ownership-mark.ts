import { DriverError } from '../contract.js';

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
