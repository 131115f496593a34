import type { LifecycleSettings } from './config/lifecycle-settings.js';
import type { ArchiveStore } from './drivers/contract.js';
import { DatabaseArchiveStore } from './drivers/archive/database-archive-store.js';
import { FileArchiveStore } from './drivers/archive/file-archive-store.js';
import { archiveRecords } from './store/archive/archive-objects.js';
import type { Db } from './store/open-database.js';

/** Where deletion archives go (MATIH_ARCHIVE_STORE): the control-plane database by default, or a directory. */
export function buildArchiveStore(db: Db, settings: LifecycleSettings): ArchiveStore {
  return settings.archiveStore === 'directory' ? new FileArchiveStore(settings.archiveDir) : new DatabaseArchiveStore(archiveRecords(db));
}
