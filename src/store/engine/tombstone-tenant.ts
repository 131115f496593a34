import type { Transaction } from 'kysely';
import { tombstoneIdentity } from '../../domain/personal-data.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import { redactDeletedTenantEvents } from '../lifecycle/tombstones.js';
import type { Schema } from '../schema.js';

/**
 * spec/002 "Deletion" 7: the tenant's control-plane data goes (users and their roles, roles, API
 * keys, settings, feature overrides, subscription, pending deletion codes); what remains is a
 * tombstone row (status DELETED) with its jobs, history, infrastructure record, declaration and transitions,
 * so the deletion receipt stays readable and the archive has something to point at. Its name, slug
 * and admin email are replaced by placeholders (domain/personal-data.ts; the archive, verified by
 * DELETE_TENANT_RECORD before this commit, keeps them) and its delivered events lose theirs, so
 * they are free again with nothing left of them here (the unique indexes skip DELETED rows).
 */
export async function tombstoneTenant(trx: Transaction<Schema>, tenantId: string): Promise<void> {
  const users = trx.selectFrom('users').select('id').where('tenantId', '=', tenantId);
  await trx.deleteFrom('userRoles').where('userId', 'in', users).execute();
  await trx.deleteFrom('apiKeys').where('tenantId', '=', tenantId).execute();
  await trx.deleteFrom('users').where('tenantId', '=', tenantId).execute();
  await trx.deleteFrom('roles').where('tenantId', '=', tenantId).execute();
  await trx.deleteFrom('tenantSettings').where('tenantId', '=', tenantId).execute();
  await trx.deleteFrom('tenantFeatureOverrides').where('tenantId', '=', tenantId).execute();
  await trx.deleteFrom('billingSubscriptions').where('tenantId', '=', tenantId).execute();
  await trx.deleteFrom('tenantDeletionRequests').where('tenantId', '=', tenantId).execute();
  await trx
    .updateTable('tenants')
    .set({
      ...tombstoneIdentity(tenantId),
      status: TenantStatus.DELETED,
      deletedAt: new Date(),
      updatedAt: new Date(),
      kubernetesNamespace: null,
      azureAksClusterName: null,
      provisioningError: null,
    })
    .where('id', '=', tenantId)
    .execute();
  await redactDeletedTenantEvents(trx, tenantId);
}
