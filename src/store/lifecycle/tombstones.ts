import { type Transaction, sql } from 'kysely';
import { PERSONAL_EMBEDDED_TENANT_KEYS, PERSONAL_EVENT_KEYS } from '../../domain/personal-data.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import type { Db } from '../open-database.js';
import type { Schema } from '../schema.js';

/**
 * The personal data of deleted tenants in the delivered events (domain/personal-data.ts): the keys
 * go, `redacted: true` says they went. Only delivered events: a consumer still owed TENANT_DELETED
 * (the notifier emails its admin) gets it whole, and housekeeping redacts it once it is out. One
 * tenant's at its deletion, every deleted tenant's in housekeeping.
 */
export async function redactDeletedTenantEvents(db: Db | Transaction<Schema>, tenantId?: string): Promise<number> {
  const keys = sql.val(PERSONAL_EVENT_KEYS);
  const tenantKeys = sql.val(PERSONAL_EMBEDDED_TENANT_KEYS);
  const result = await sql`
    update outbox o
    set payload = case
        when jsonb_typeof(o.payload -> 'tenant') = 'object'
          then jsonb_set(o.payload - ${keys}::text[], '{tenant}', (o.payload -> 'tenant') - ${tenantKeys}::text[])
        else o.payload - ${keys}::text[]
      end || '{"redacted": true}'::jsonb
    from tenants t
    where t.id = o.aggregate_id
      and t.status = ${TenantStatus.DELETED}
      ${tenantId === undefined ? sql`` : sql`and t.id = ${tenantId}`}
      and o.delivered_at is not null
      and (o.payload ?| ${keys}::text[] or (jsonb_typeof(o.payload -> 'tenant') = 'object' and (o.payload -> 'tenant') ?| ${tenantKeys}::text[]))
  `.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * Tombstones deleted before `cutoff`, with all they kept: jobs, steps, history, transitions,
 * declaration and infrastructure record (foreign keys cascade), the audit rows and the delivered
 * events (no foreign key: events outlive their tenant until then). An event not yet delivered
 * keeps its tenant for another round. The archive is the record from then on.
 */
export async function purgeTombstones(db: Db, cutoff: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const expired = await trx
      .selectFrom('tenants')
      .select('id')
      .where('status', '=', TenantStatus.DELETED)
      .where('deletedAt', '<', cutoff)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('outbox').select('outbox.id').whereRef('outbox.aggregateId', '=', 'tenants.id').where('outbox.deliveredAt', 'is', null))))
      .forUpdate()
      .skipLocked()
      .execute();
    const ids = expired.map((t) => t.id);
    if (ids.length === 0) return 0;
    await trx.deleteFrom('provisioningAuditLogs').where('tenantId', 'in', ids).execute();
    await trx.deleteFrom('outbox').where('aggregateId', 'in', ids).execute();
    await trx.deleteFrom('tenants').where('id', 'in', ids).execute();
    return ids.length;
  });
}
