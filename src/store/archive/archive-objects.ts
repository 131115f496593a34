import type { Db } from '../open-database.js';

/** An archived object as the database holds it. */
export interface ArchiveRecord {
  body: Buffer;
  sha256: string;
}

/**
 * The rows behind the database archive store (drivers/archive/database-archive-store.ts), which
 * computes the checksums; the composition root hands these to it, as it hands the DNS zones to
 * the embedded DNS server.
 */
export function archiveRecords(db: Db) {
  return {
    async write(key: string, record: ArchiveRecord): Promise<void> {
      await db
        .insertInto('archiveObjects')
        .values({ key, body: record.body, sha256: record.sha256 })
        .onConflict((oc) => oc.column('key').doUpdateSet({ body: record.body, sha256: record.sha256 }))
        .execute();
    },
    async read(key: string): Promise<ArchiveRecord | undefined> {
      return db.selectFrom('archiveObjects').select(['body', 'sha256']).where('key', '=', key).executeTakeFirst();
    },
  };
}
