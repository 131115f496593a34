import { createHash } from 'node:crypto';
import { type ArchiveStore, type ArchivedObject, DriverError } from '../contract.js';

/** The rows the store keeps (store/archive/archive-objects.ts), as this driver needs them. */
export interface ArchiveRecords {
  write(key: string, record: { body: Buffer; sha256: string }): Promise<void>;
  read(key: string): Promise<{ body: Buffer; sha256: string } | undefined>;
}

/**
 * The archive in the control-plane database (MATIH_ARCHIVE_STORE=database, the default): what one
 * replica archived, the replica that finishes the deletion reads back, which a directory of each
 * replica's own cannot promise. As with the file store, the checksum recorded is that of the
 * bytes read back after the write, and `verify` recomputes it from the stored bytes.
 */
export class DatabaseArchiveStore implements ArchiveStore {
  constructor(private readonly records: ArchiveRecords) {}

  async put(key: string, body: Uint8Array): Promise<ArchivedObject> {
    const digest = sha256(body);
    const existing = await this.verify(key);
    if (existing && existing.sha256 === digest) return existing;
    await this.records.write(key, { body: Buffer.from(body), sha256: digest });
    const stored = await this.verify(key);
    if (!stored || stored.sha256 !== digest) throw new DriverError(`archive ${key}: the bytes read back differ from those written`, true);
    return stored;
  }

  async verify(key: string): Promise<ArchivedObject | undefined> {
    const record = await this.records.read(key);
    if (!record) return undefined;
    const digest = sha256(record.body);
    if (digest !== record.sha256) return undefined;
    return { location: `database:archive_objects/${key}`, sha256: digest, bytes: record.body.length };
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
