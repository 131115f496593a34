import type { Transaction } from 'kysely';
import { TenantStatus } from '../../domain/tenant-status.js';
import type { Schema } from '../schema.js';

/**
 * spec/002 "Deletion" 7: the tenant's control-plane data goes (users and their roles, roles, API
 * keys, settings, feature overrides, subscription, pending deletion codes); what remains is a
 * tombstone row (status DELETED) with its jobs, history, infrastructure record, declaration and transitions,
 * so the deletion receipt stays readable and the archive has something to point at. The slug,
 * name and admin email are free again (the unique indexes skip DELETED rows).
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
    .set({ status: TenantStatus.DELETED, deletedAt: new Date(), updatedAt: new Date(), kubernetesNamespace: null, azureAksClusterName: null })
    .where('id', '=', tenantId)
    .execute();
}
