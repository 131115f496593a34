import type { Tenant } from '../../domain/tenant.js';
import type { TenantStatus } from '../../domain/tenant-status.js';
import type { Tier } from '../../domain/tiers.js';
import type { Db } from '../open-database.js';
import { toTenant } from './tenant-row.js';

export interface ListTenantsQuery {
  status?: TenantStatus | undefined;
  tier?: Tier | undefined;
  /** Matches name or slug, case-insensitively, anywhere in the text. */
  search?: string | undefined;
  /** Only tenants whose id is below this one: ids are UUIDv7, so this is "older than". */
  before?: string | undefined;
  /** Restricts the list to one tenant (a tenant-scoped caller). */
  onlyId?: string | undefined;
  limit: number;
}

export interface TenantPage {
  items: Tenant[];
  /** The id to pass as `before` for the next page, or null on the last page. */
  nextBefore: string | null;
}

/** Newest first, keyset-paged on the primary key (stable under concurrent inserts). */
export async function listTenants(db: Db, q: ListTenantsQuery): Promise<TenantPage> {
  let query = db.selectFrom('tenants').selectAll();
  if (q.status) query = query.where('status', '=', q.status);
  if (q.tier) query = query.where('tier', '=', q.tier);
  if (q.onlyId) query = query.where('id', '=', q.onlyId);
  if (q.before) query = query.where('id', '<', q.before);
  if (q.search) {
    const pattern = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('slug', 'ilike', pattern)]));
  }
  const rows = await query.orderBy('id', 'desc').limit(q.limit + 1).execute();
  const items = rows.slice(0, q.limit).map(toTenant);
  const last = items[items.length - 1];
  return { items, nextBefore: rows.length > q.limit && last ? last.id : null };
}
