import type { LifecycleSettings } from './config/lifecycle-settings.js';
import type { ArchiveStore } from './drivers/contract.js';
import { DatabaseArchiveStore } from './drivers/archive/database-archive-store.js';
import { FileArchiveStore } from './drivers/archive/file-archive-store.js';
import { archiveRecords } from './store/archive/archive-objects.js';
import type { Db } from './store/open-database.js';

/**
 * Where deletion archives go (MATIH_ARCHIVE_STORE): the control-plane database by default, a
 * directory, or an S3 bucket. The AWS SDK is loaded only for the last: the service's start
 * (bench/startup.ts) does not pay for a client the default never uses.
 */
export async function buildArchiveStore(db: Db, settings: LifecycleSettings): Promise<ArchiveStore> {
  if (settings.archiveStore === 's3') {
    if (!settings.archiveS3) throw new Error('MATIH_ARCHIVE_STORE=s3 without its settings'); // loadConfig refuses this
    const { S3ArchiveStore } = await import('./drivers/archive/s3-archive-store.js');
    return new S3ArchiveStore(settings.archiveS3);
  }
  return settings.archiveStore === 'directory' ? new FileArchiveStore(settings.archiveDir) : new DatabaseArchiveStore(archiveRecords(db));
}
