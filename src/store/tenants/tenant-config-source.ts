import { NotFoundError } from '../../domain/errors.js';
import type { TenantSettings } from '../../domain/settings.js';
import type { Db } from '../open-database.js';

/**
 * What the CONFIGURE step reads of a tenant (the TenantConfigSource port of steps/handlers/configure.ts,
 * which the store may not import; the shapes match structurally). Settings and overrides in one
 * statement, so the step never pairs settings with overrides of another moment.
 */
export interface StoredTenantConfig {
  settings: TenantSettings;
  featureOverrides: Record<string, boolean>;
}

export interface TenantConfigReader {
  /** Throws NotFoundError when the tenant (its settings) does not exist. */
  load(tenantId: string): Promise<StoredTenantConfig>;
}

export function tenantConfigSource(db: Db): TenantConfigReader {
  return {
    async load(tenantId) {
      const row = await db
        .selectFrom('tenantSettings as s')
        .leftJoin('tenantFeatureOverrides as o', 'o.tenantId', 's.tenantId')
        .select(['s.settings', 'o.overrides'])
        .where('s.tenantId', '=', tenantId)
        .executeTakeFirst();
      if (!row) throw new NotFoundError('tenant', tenantId);
      return { settings: row.settings, featureOverrides: row.overrides ?? {} };
    },
  };
}
