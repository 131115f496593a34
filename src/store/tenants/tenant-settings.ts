import { isDeepStrictEqual } from 'node:util';
import { PreconditionFailedError } from '../../domain/errors.js';
import { EventType } from '../../domain/events.js';
import { type TenantSettings, completeSettings } from '../../domain/settings.js';
import type { Db } from '../open-database.js';
import { appendEvent } from '../outbox/append-event.js';
import { transaction } from '../transaction.js';

export interface VersionedSettings {
  settings: TenantSettings;
  version: number;
  updatedAt: Date;
  updatedBy: string;
}

export async function getTenantSettings(db: Db, tenantId: string): Promise<VersionedSettings | undefined> {
  const row = await db
    .selectFrom('tenantSettings')
    .select(['settings', 'version', 'updatedAt', 'updatedBy'])
    .where('tenantId', '=', tenantId)
    .executeTakeFirst();
  return row && { ...row, settings: completeSettings(row.settings) };
}

export interface UpdateSettingsInput {
  tenantId: string;
  actor: string;
  /** Optimistic concurrency (If-Match): refuse when the stored version differs. */
  expectedVersion?: number | undefined;
  /** Computes the new settings from the stored ones; throws to refuse the change. */
  change: (current: TenantSettings) => TenantSettings;
}

/**
 * Read, change and write under a row lock, with a tenant.settings.changed event in the same
 * transaction. Returns undefined when the tenant has no settings (it does not exist).
 *
 * Settings are part of what the data plane is declared with (the notifications in
 * DEPLOY_MONITORING's alert routing, the rest in CONFIGURE's tenant-config ConfigMap): a change
 * moves the declaration's generation, as a feature override does, so the reconciler brings the
 * cluster to them. The same values again move nothing.
 */
export async function updateTenantSettings(db: Db, input: UpdateSettingsInput): Promise<VersionedSettings | undefined> {
  return transaction(db, async (trx) => {
    const current = await trx
      .selectFrom('tenantSettings')
      .select(['settings', 'version'])
      .where('tenantId', '=', input.tenantId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) return undefined;
    if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
      throw new PreconditionFailedError('settings', current.version, input.expectedVersion);
    }
    const stored = completeSettings(current.settings);
    const next = input.change(stored);
    const updated = await trx
      .updateTable('tenantSettings')
      .set({ settings: JSON.stringify(next), version: current.version + 1, updatedAt: new Date(), updatedBy: input.actor })
      .where('tenantId', '=', input.tenantId)
      .returning(['settings', 'version', 'updatedAt', 'updatedBy'])
      .executeTakeFirstOrThrow();
    // Every setting is declared in the data plane: the notifications in DEPLOY_MONITORING's alert
    // routing, the rest in CONFIGURE's tenant-config. A change is a new generation to converge to.
    if (!isDeepStrictEqual(stored, next)) {
      await trx
        .updateTable('desiredInfrastructureState')
        .set((eb) => ({ generation: eb('generation', '+', 1), updatedBy: input.actor, updatedAt: new Date() }))
        .where('tenantId', '=', input.tenantId)
        .execute();
    }
    await appendEvent(trx, input.tenantId, EventType.TENANT_SETTINGS_CHANGED, { tenantId: input.tenantId, version: updated.version, changedBy: input.actor });
    return updated;
  });
}
