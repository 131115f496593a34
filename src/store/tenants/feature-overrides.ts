import { PreconditionFailedError } from '../../domain/errors.js';
import { FEATURES_CHANGED_EVENT, type FeatureOverrides } from '../../domain/features.js';
import { type Tier, parseTier } from '../../domain/tiers.js';
import type { Db } from '../open-database.js';
import { appendEvent } from '../outbox/append-event.js';
import { transaction } from '../transaction.js';

/* A tenant's feature flag overrides (migration 0005, schema.ts TenantFeatureOverridesTable). */

export interface VersionedFeatureOverrides {
  overrides: Record<string, boolean>;
  /** 0 until the first change; also the ETag. */
  version: number;
  /** Null until the first change. */
  updatedAt: Date | null;
  updatedBy: string | null;
}

const NONE: VersionedFeatureOverrides = { overrides: {}, version: 0, updatedAt: null, updatedBy: null };

/** The tenant's overrides; undefined when the tenant does not exist. */
export async function getFeatureOverrides(db: Db, tenantId: string): Promise<VersionedFeatureOverrides | undefined> {
  const row = await db
    .selectFrom('tenants')
    .leftJoin('tenantFeatureOverrides as o', 'o.tenantId', 'tenants.id')
    .select(['o.overrides', 'o.version', 'o.updatedAt', 'o.updatedBy'])
    .where('tenants.id', '=', tenantId)
    .executeTakeFirst();
  if (!row) return undefined;
  return row.version === null ? { ...NONE } : { overrides: row.overrides ?? {}, version: row.version, updatedAt: row.updatedAt, updatedBy: row.updatedBy };
}

export interface UpdateFeatureOverridesInput {
  tenantId: string;
  actor: string;
  /** Optimistic concurrency (If-Match): refuse when the stored version differs (0: none stored yet). */
  expectedVersion?: number | undefined;
  /** Computes the new overrides from the stored ones and the tenant's tier; throws to refuse the change. */
  change: (current: FeatureOverrides, tier: Tier) => Record<string, boolean>;
}

/**
 * Read, change and write with a tenant.features.changed event in the same transaction.
 * Serialised per tenant by a lock on the tenant's row (not the overrides row, which may not
 * exist yet): FOR NO KEY UPDATE, so rows referencing the tenant can still be inserted meanwhile.
 * Reading the tier under the same lock means a change is checked against the tier it is stored
 * under. Returns undefined when the tenant does not exist.
 */
export async function updateFeatureOverrides(
  db: Db,
  input: UpdateFeatureOverridesInput,
): Promise<(VersionedFeatureOverrides & { tier: Tier }) | undefined> {
  return transaction(db, async (trx) => {
    const tenant = await trx.selectFrom('tenants').select(['tier']).where('id', '=', input.tenantId).forNoKeyUpdate().executeTakeFirst();
    if (!tenant) return undefined;
    const tier = parseTier(tenant.tier);
    if (!tier) throw new Error(`tenant ${input.tenantId} has an unknown tier ${tenant.tier}`);
    const stored = await trx
      .selectFrom('tenantFeatureOverrides')
      .select(['overrides', 'version'])
      .where('tenantId', '=', input.tenantId)
      .executeTakeFirst();
    const currentVersion = stored?.version ?? 0;
    if (input.expectedVersion !== undefined && input.expectedVersion !== currentVersion) {
      throw new PreconditionFailedError('feature overrides', currentVersion, input.expectedVersion);
    }
    const next = input.change(stored?.overrides ?? {}, tier);
    const row = { overrides: JSON.stringify(next), version: currentVersion + 1, updatedAt: new Date(), updatedBy: input.actor };
    const updated = await trx
      .insertInto('tenantFeatureOverrides')
      .values({ tenantId: input.tenantId, ...row })
      .onConflict((oc) => oc.column('tenantId').doUpdateSet(row))
      .returning(['overrides', 'version', 'updatedAt', 'updatedBy'])
      .executeTakeFirstOrThrow();
    // CONFIGURE writes the flags into the tenant's ConfigMap: a changed override is a changed
    // declaration, and the generation the reconciler converges to moves with it.
    if (!sameOverrides(stored?.overrides ?? {}, next)) {
      await trx
        .updateTable('desiredInfrastructureState')
        .set((eb) => ({ generation: eb('generation', '+', 1), updatedBy: input.actor, updatedAt: new Date() }))
        .where('tenantId', '=', input.tenantId)
        .execute();
    }
    await appendEvent(trx, input.tenantId, FEATURES_CHANGED_EVENT, {
      tenantId: input.tenantId,
      version: updated.version,
      changedBy: input.actor,
      overrides: updated.overrides,
    });
    return { ...updated, tier };
  });
}

function sameOverrides(a: Readonly<Record<string, boolean>>, b: Readonly<Record<string, boolean>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}
