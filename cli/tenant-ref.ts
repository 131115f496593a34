import type { ApiClient } from './api-client.js';
import type { Tenant, TenantPage } from './api-types.js';
import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Commands take a tenant id or a slug. The API addresses tenants by id only, so a slug is
 * looked up with the list's text search and matched exactly; a live tenant wins over a
 * deleted one that had the same slug (deleted slugs are free again).
 */
export async function resolveTenant(client: ApiClient, ref: string): Promise<Tenant> {
  if (UUID.test(ref)) return client.request<Tenant>('GET', `/api/v1/tenants/${ref}`);
  // The search also matches names, so the slug may sit past the first page of hits.
  const matches: Tenant[] = [];
  let cursor: string | null | undefined;
  do {
    const page: TenantPage = await client.request<TenantPage>('GET', '/api/v1/tenants', { query: { q: ref, limit: 200, cursor: cursor ?? undefined } });
    matches.push(...page.items.filter((t) => t.slug === ref));
    cursor = page.nextCursor;
  } while (cursor && !matches.some((t) => t.status !== 'DELETED'));
  const found = matches.find((t) => t.status !== 'DELETED') ?? matches[0];
  if (!found) throw new CliError('not_found', `no tenant with id or slug "${ref}"`, ExitCode.NOT_FOUND);
  return found;
}

/** The id of a tenant given by id or slug, without a request when it is already an id. */
export async function resolveTenantId(client: ApiClient, ref: string): Promise<string> {
  return UUID.test(ref) ? ref : (await resolveTenant(client, ref)).id;
}
