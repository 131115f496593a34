import type { Tenant } from './tenant.js';

/**
 * A deleted tenant's personal data (spec/002 "Deletion" 7, DESIGN: "delete leaves a tombstone
 * without personal data"). The tombstone keeps the id, the tier, the region, the dates and the
 * deletion receipt, so the history and the archive still have something to point at; the name,
 * the slug and the admin email go, once the audit archive (which keeps them, as the compliance
 * copy) is written and its checksum verified.
 *
 * The placeholders are built from the id alone, so nothing of the original can be recovered from
 * them (a hash of a slug or an email could be, by guessing: both are low-entropy). No hash of the
 * slug is kept: a slug is free again once its tenant is deleted, so no later check needs to know
 * it was ever used.
 */
export type TenantIdentity = Pick<Tenant, 'name' | 'slug' | 'adminEmail'>;

export function tombstoneIdentity(tenantId: string): TenantIdentity {
  return {
    name: `Deleted tenant ${tenantId}`,
    slug: `deleted-${tenantId}`,
    // RFC 2606's reserved top-level domain: no mail can ever be delivered to it.
    adminEmail: `deleted-${tenantId}@tombstone.invalid`,
  };
}

/**
 * The keys of an event's payload that carry a tenant's personal data, at the top and inside the
 * `tenant` object some events embed (domain/job-outcomes.ts, store/tenants/create-tenant.ts).
 * Once delivered, a deleted tenant's events lose them: the outbox is the delivery log, not the
 * archive.
 */
export const PERSONAL_EVENT_KEYS: readonly string[] = ['adminEmail', 'tenantName', 'slug'];
export const PERSONAL_EMBEDDED_TENANT_KEYS: readonly string[] = ['name', 'slug', 'adminEmail'];

/**
 * Tombstones deleted before this instant have outlived their retention and are purged with their
 * history; undefined when the retention is 0 (kept for ever).
 */
export function tombstoneCutoff(now: Date, retentionDays: number): Date | undefined {
  return retentionDays > 0 ? new Date(now.getTime() - retentionDays * 86_400_000) : undefined;
}
