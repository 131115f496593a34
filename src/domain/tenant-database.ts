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

export interface TenantDatabasePlan {
  tenantId: string;
  isolation: DatabaseIsolation;
  schemas: string[];
  role: string;
  /** DATABASE_PER_TENANT only. */
  database?: string;
}

export function tenantDatabasePlan(tenantId: string, slug: string, isolation: DatabaseIsolation, prefix = ''): TenantDatabasePlan {
  const base = slug.replaceAll('-', '_');
  const schemas = TENANT_SCHEMA_SUFFIXES.map((suffix) => `${base}_${suffix}`);
  if (isolation === 'DATABASE_PER_TENANT') {
    return { tenantId, isolation, schemas, role: `${prefix}${base}_owner`, database: `${prefix}matih_${base}` };
  }
  return { tenantId, isolation, schemas, role: `${prefix}${base}_app` };
}
