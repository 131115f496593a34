import { newId } from '../../domain/ids.js';
import type { NewTenant, Tenant } from '../../domain/tenant.js';
import type { Db } from '../open-database.js';
import { isTransientDatabaseError } from '../database-errors.js';
import { asConflict } from '../unique-violation.js';
import { type CreateTenantFacts, createTenantQuery } from './create-tenant-statement.js';
import { toTenant } from './tenant-row.js';

/** The writes of the control-plane tier, in the order they happen inside the one transaction. */
export const CREATE_TENANT_WRITES = [
  'tenant', 'adminUser', 'billingSubscription', 'roles', 'settings', 'apiKey', 'provisioningJob', 'outboxEvent',
] as const;
export type CreateTenantWrite = (typeof CREATE_TENANT_WRITES)[number];

export interface CreateTenantInput {
  tenant: NewTenant;
  /** Who asked: recorded on the job, the settings and the key. */
  actor: string;
  /** The initial admin API key: only its hash is stored. */
  apiKey: { id: string; secretHash: string };
  /** Retries the data-plane job may make (MATIH_MAX_RETRIES). */
  maxRetries?: number;
  /**
   * Tests inject failures after a write to prove the transaction leaves nothing behind. With hooks
   * the statement runs inside an explicit transaction and every hook runs after it, before the commit.
   */
  afterWrite?: (write: CreateTenantWrite) => void | Promise<void>;
}

export interface CreatedTenant {
  tenant: Tenant;
  adminUserId: string;
  jobId: string;
}

const TENANT_UNIQUE_FIELDS = {
  tenants_slug_key: 'slug',
  tenants_name_key: 'name',
  tenants_admin_email_key: 'adminEmail',
};

/**
 * spec/003 "Control Plane Tier": tenant record, admin user, billing subscription, default roles,
 * default settings, initial API key, the pending data-plane job and the tenant.created event,
 * all in one transaction: it all exists, or none of it does (one statement: create-tenant-statement.ts).
 */
export async function createTenant(db: Db, input: CreateTenantInput): Promise<CreatedTenant> {
  const ids = { tenantId: newId(), adminUserId: newId(), jobId: newId() };
  try {
    return await createTenantOnce(db, input, ids);
  } catch (error) {
    // spec/003 "Error Handling": a transient failure of the control-plane database (a serialization
    // failure, a deadlock, a dropped connection) is re-attempted once, within the request, with the
    // same ids; a refusal on the merits (a unique field taken) never is.
    if (!isTransientDatabaseError(error)) throw error;
    try {
      return await createTenantOnce(db, input, ids);
    } catch (again) {
      // A connection lost while the first statement was in flight may have committed it: the tenant is then there.
      const committed = await db.selectFrom('tenants').selectAll().where('id', '=', ids.tenantId).executeTakeFirst();
      if (committed) return { tenant: toTenant(committed), adminUserId: ids.adminUserId, jobId: ids.jobId };
      throw again;
    }
  }
}

async function createTenantOnce(db: Db, input: CreateTenantInput, ids: CreateTenantFacts['ids']): Promise<CreatedTenant> {
  const { query, tenant } = createTenantQuery({ tenant: input.tenant, actor: input.actor, apiKey: input.apiKey, maxRetries: input.maxRetries, ids, now: new Date() });
  const after = input.afterWrite;
  try {
    if (after) {
      // The test seam: the same statement inside a transaction, the hooks after it, in write order, before the commit.
      await db.transaction().execute(async (trx) => {
        await trx.executeQuery(query);
        for (const write of CREATE_TENANT_WRITES) await after(write);
      });
    } else {
      // One statement, one transaction: nothing to begin or commit around it.
      await db.executeQuery(query);
    }
    return { tenant, adminUserId: ids.adminUserId, jobId: ids.jobId };
  } catch (error) {
    throw asConflict(error, TENANT_UNIQUE_FIELDS, 'tenant');
  }
}
