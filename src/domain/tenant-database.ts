import type { DatabaseIsolation } from './tiers.js';

/**
 * The names of a tenant's database objects (spec/002 phase 4, spec/004 "Database Isolation
 * Strategy"): nine schemas named after the services, a login role, and for a database of its own
 * `matih_{base}`. `base` is the slug with hyphens mapped to underscores; slugs never contain
 * underscores, so the mapping is injective. Roles and databases are server-wide, so they carry the
 * deployment's prefix (MATIH_TENANT_DB_PREFIX); schemas live inside a database and need none.
 * The driver re-checks and quotes every name (drivers/database/identifiers.ts).
 */
export const TENANT_SCHEMA_SUFFIXES = ['ai', 'bi', 'query', 'catalog', 'pipeline', 'ml', 'quality', 'ontology', 'governance'] as const;

/**
 * Roles and databases are server-wide: two control planes (or two test files) sharing a server
 * would both call the role of `acme` `acme_app`, and each would take the other's for its own (or
 * refuse it as another tenant's). A prefix per control plane (MATIH_TENANT_DB_PREFIX) keeps them
 * apart. At most 16 characters: with the longest slug (40) the longest names, `{prefix}{base}_owner`
 * and `{prefix}matih_{base}`, take 62 bytes, within the 63 PostgreSQL keeps.
 */
export const MAX_TENANT_NAME_PREFIX_LENGTH = 16;
const PREFIX_PATTERN = /^[a-z][a-z0-9_]{0,15}$/;

/** Why `prefix` may not prefix the server-wide names, or undefined when it may ('' may). */
export function tenantNamePrefixProblem(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  if (!PREFIX_PATTERN.test(prefix)) {
    return `must be 1 to ${MAX_TENANT_NAME_PREFIX_LENGTH} lowercase letters, digits and underscores, starting with a letter`;
  }
  // pg_ names are the server's own: CREATE ROLE pg_x fails, and a reserved-looking name misleads.
  if (prefix.startsWith('pg_')) return 'must not start with pg_ (reserved by PostgreSQL)';
  return undefined;
}

export interface TenantDatabasePlan {
  tenantId: string;
  isolation: DatabaseIsolation;
  schemas: string[];
  role: string;
  /** DATABASE_PER_TENANT only. */
  database?: string;
  /** SCHEMA_PER_TENANT only: the deployment's role whose members may connect to the shared database. */
  connectGroup?: string;
}

export function tenantDatabasePlan(tenantId: string, slug: string, isolation: DatabaseIsolation, prefix = ''): TenantDatabasePlan {
  const base = slug.replaceAll('-', '_');
  const schemas = TENANT_SCHEMA_SUFFIXES.map((suffix) => `${base}_${suffix}`);
  if (isolation === 'DATABASE_PER_TENANT') {
    return { tenantId, isolation, schemas, role: `${prefix}${base}_owner`, database: `${prefix}matih_${base}` };
  }
  return { tenantId, isolation, schemas, role: `${prefix}${base}_app`, connectGroup: connectGroupName(prefix) };
}

/**
 * The one role of a deployment whose members may connect to the shared tenant database: server-wide
 * like the tenants' roles, so prefixed like them. No tenant role can take the name: theirs end in
 * `_app` or `_owner`.
 */
export function connectGroupName(prefix = ''): string {
  return `${prefix}matih_tenants`;
}
