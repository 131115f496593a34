import type { Logger } from 'pino';
import { type Database, openDatabase } from '../open-database.js';
import { type DataDirLock, lockDataDir } from './data-dir-lock.js';
import { EmbeddedPostgres, type EmbeddedPostgresOptions } from './embedded-postgres.js';
import { refuseLegacyDataDir } from './legacy-data-dir.js';

export interface ControlPlaneDatabase extends Database {
  /** Where the control plane's database is (the embedded server's, or DATABASE_URL). Never logged. */
  readonly url: string;
  /** The server this process supervises; undefined with DATABASE_URL. */
  readonly embedded: EmbeddedPostgres | undefined;
}

export interface ControlPlaneDatabaseSettings {
  /** DATABASE_URL; unset: the embedded server under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  databasePoolSize: number;
  /** Tests: server settings and a throwaway initdb. */
  embedded?: Pick<EmbeddedPostgresOptions, 'settings' | 'durable' | 'monitorIntervalMs' | 'restartBackoffMs'>;
}

/**
 * The control plane's database: a pool on DATABASE_URL, or (unset) on the embedded server, which
 * is started (or adopted) under the data directory's lock and supervised while the service runs.
 * close() closes the pool, then stops the server, then frees the lock.
 */
export async function openControlPlaneDatabase(settings: ControlPlaneDatabaseSettings, logger: Logger): Promise<ControlPlaneDatabase> {
  if (settings.databaseUrl !== undefined) {
    const database = openDatabase({ url: settings.databaseUrl, poolSize: settings.databasePoolSize, kind: 'external' });
    return { ...database, url: settings.databaseUrl, embedded: undefined };
  }
  let lock: DataDirLock | undefined;
  let server: EmbeddedPostgres | undefined;
  try {
    lock = lockDataDir(settings.dataDir);
    refuseLegacyDataDir(settings.dataDir);
    server = await EmbeddedPostgres.start({ dataDir: settings.dataDir, logger: logger.child({ component: 'embedded-postgres' }), ...settings.embedded });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const database = openDatabase({ url: server.url, poolSize: settings.databasePoolSize, kind: 'embedded' });
  const embedded = server;
  embedded.onStateChange((state) => database.health.setServerDown(state === 'down'));
  return {
    ...database,
    url: embedded.url,
    embedded,
    async close() {
      try {
        await database.close();
        await embedded.stop();
      } finally {
        lock?.release();
      }
    },
  };
}
