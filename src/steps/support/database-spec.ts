import { tenantDatabasePlan } from '../../domain/tenant-database.js';
import { TIER_PROFILES } from '../../domain/tiers.js';
import type { TenantDatabaseSpec } from '../../drivers/contract.js';
import type { StepContext, StepOptions } from '../step.js';

/**
 * The tenant's database as its tier declares it: schemas in the shared database, or (Enterprise)
 * a database of its own. SETUP_DATABASE makes it; DELETE_TENANT_DATABASE observes what is left of it.
 */
export function databaseSpec(ctx: StepContext, options: StepOptions): TenantDatabaseSpec {
  return tenantDatabasePlan(ctx.tenant.id, ctx.tenant.slug, TIER_PROFILES[ctx.tenant.tier].databaseIsolation, options.tenantDbPrefix);
}
