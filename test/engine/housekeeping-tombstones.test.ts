import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventType } from '../../src/domain/events.js';
import { Housekeeping } from '../../src/engine/housekeeping.js';
import type { Db } from '../../src/store/open-database.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import { activeTenant, deletedTenant, eventsOf } from '../support/store-operations.js';

/**
 * What housekeeping does with deleted tenants (spec/002 "Deletion" 7, DESIGN: a tombstone without
 * personal data): their delivered events lose the admin's email, the name and the slug; a tombstone
 * older than MATIH_TOMBSTONE_RETENTION_DAYS goes with everything it kept.
 */
describe('housekeeping of deleted tenants', () => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await openTestDatabase();
    db = database.db;
  });
  afterAll(async () => {
    await database.close();
  });

  const silent = pino({ level: 'silent' });
  const deliverAll = (tenantId: string) => db.updateTable('outbox').set({ deliveredAt: new Date() }).where('aggregateId', '=', tenantId).where('deliveredAt', 'is', null).execute();
  const ageTombstone = (tenantId: string, days: number) =>
    db.updateTable('tenants').set({ deletedAt: new Date(Date.now() - days * 86_400_000) }).where('id', '=', tenantId).execute();
  const countOf = async (table: 'tenantProvisioningJobs' | 'provisioningAuditLogs' | 'infrastructureStateTransitions' | 'tenantInfrastructure', tenantId: string) =>
    (await db.selectFrom(table).select('tenantId').where('tenantId', '=', tenantId).execute()).length;

  it("redacts a deleted tenant's events once they are delivered, and nobody else's", async () => {
    const live = await activeTenant(db);
    const gone = await deletedTenant(db);
    const { slug, adminEmail, name } = gone.tenant;
    // TENANT_DELETED was written at the deletion's commit and is not delivered yet: it stays whole,
    // the notifier still owes the admin its email.
    const pending = (await eventsOf(db, gone.tenant.id)).at(-1);
    expect(pending).toMatchObject({ type: EventType.TENANT_DELETED, payload: { adminEmail, slug, tenantName: name } });

    await deliverAll(gone.tenant.id);
    await deliverAll(live.tenant.id);
    const round = await new Housekeeping(db, silent).runOnce();
    expect(round.eventsRedacted).toBeGreaterThan(0);
    const events = await eventsOf(db, gone.tenant.id);
    expect(events.map((e) => e.type)).toContain(EventType.TENANT_CREATED);
    const text = JSON.stringify(events);
    for (const personal of [adminEmail, name]) expect(text).not.toContain(personal);
    // The slug goes as a field; the receipt, kept on purpose, names the objects it removed (matih-<slug>).
    for (const e of events) {
      expect(e.payload).not.toHaveProperty('slug');
      expect(e.payload).not.toHaveProperty('tenant.slug');
    }
    expect(events.filter((e) => e.payload.redacted === true).length).toBeGreaterThan(1);
    // The rest of each event stays: ids, types, the receipt.
    expect(events.at(-1)?.payload).toMatchObject({ tenantId: gone.tenant.id, receipt: { recordDeleted: true } });

    // A live tenant's delivered events are its own business.
    expect(JSON.stringify(await eventsOf(db, live.tenant.id))).toContain(live.tenant.adminEmail);
    expect((await new Housekeeping(db, silent).runOnce()).eventsRedacted).toBe(0);
  });

  it('purges tombstones past their retention with their history, keeps younger ones, and keeps all with a retention of 0', async () => {
    const old = await deletedTenant(db);
    const young = await deletedTenant(db);
    const live = await activeTenant(db);
    for (const t of [old, young, live]) await deliverAll(t.tenant.id);
    await ageTombstone(old.tenant.id, 400);
    await ageTombstone(young.tenant.id, 30);

    expect((await new Housekeeping(db, silent, { tombstoneRetentionDays: 0 }).runOnce()).tombstonesPurged).toBe(0);
    expect(await countOf('tenantProvisioningJobs', old.tenant.id)).toBe(2);

    const round = await new Housekeeping(db, silent, { tombstoneRetentionDays: 365 }).runOnce();
    expect(round.tombstonesPurged).toBe(1);
    expect(await db.selectFrom('tenants').select('id').where('id', '=', old.tenant.id).execute()).toEqual([]);
    for (const table of ['tenantProvisioningJobs', 'provisioningAuditLogs', 'infrastructureStateTransitions', 'tenantInfrastructure'] as const) {
      expect(await countOf(table, old.tenant.id), table).toBe(0);
    }
    expect(await eventsOf(db, old.tenant.id)).toEqual([]);
    // The younger tombstone and the live tenant are untouched.
    expect(await countOf('tenantProvisioningJobs', young.tenant.id)).toBe(2);
    expect(await countOf('provisioningAuditLogs', live.tenant.id)).toBeGreaterThan(0);
  });

  it('waits with a tombstone whose last events are not delivered yet', async () => {
    const gone = await deletedTenant(db);
    await ageTombstone(gone.tenant.id, 400);
    expect((await new Housekeeping(db, silent, { tombstoneRetentionDays: 365 }).runOnce()).tombstonesPurged).toBe(0);
    expect(await countOf('tenantProvisioningJobs', gone.tenant.id)).toBe(2);
    await deliverAll(gone.tenant.id);
    expect((await new Housekeeping(db, silent, { tombstoneRetentionDays: 365 }).runOnce()).tombstonesPurged).toBe(1);
  });
});
