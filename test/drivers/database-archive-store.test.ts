import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseArchiveStore } from '../../src/drivers/archive/database-archive-store.js';
import { archiveRecords } from '../../src/store/archive/archive-objects.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';

/**
 * The default archive store (issue 16 item 7): the control-plane database, so a deletion's archive
 * written by one replica is read back by whichever replica finishes the deletion.
 */
describe('the database archive store', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  it('stores, reads back and verifies from another instance (another replica) over the same database', async () => {
    const body = Buffer.from('{"type":"tenant"}\n{"type":"audit","seq":1}\n');
    const written = await new DatabaseArchiveStore(archiveRecords(database.db)).put('tenants/a/audit-1.jsonl', body);
    expect(written).toEqual({ location: 'database:archive_objects/tenants/a/audit-1.jsonl', sha256: sha256(body), bytes: body.length });
    const replica = new DatabaseArchiveStore(archiveRecords(database.db));
    expect(await replica.verify('tenants/a/audit-1.jsonl')).toEqual(written);
    expect(await replica.verify('tenants/a/audit-2.jsonl')).toBeUndefined();
    // The same bytes again (a resumed step) are a no-op; other bytes replace them.
    expect(await replica.put('tenants/a/audit-1.jsonl', body)).toEqual(written);
    const longer = Buffer.concat([body, Buffer.from('{"type":"audit","seq":2}\n')]);
    expect((await replica.put('tenants/a/audit-1.jsonl', longer)).sha256).toBe(sha256(longer));
  });

  it('answers undefined for bytes changed behind its back: they no longer match the checksum stored with them', async () => {
    const store = new DatabaseArchiveStore(archiveRecords(database.db));
    await store.put('tenants/b/audit-1.jsonl', Buffer.from('original\n'));
    await database.db.updateTable('archiveObjects').set({ body: Buffer.from('tampered\n') }).where('key', '=', 'tenants/b/audit-1.jsonl').execute();
    expect(await store.verify('tenants/b/audit-1.jsonl')).toBeUndefined();
  });
});
