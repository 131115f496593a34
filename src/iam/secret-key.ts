import { randomBytes } from 'node:crypto';
import { readOrCreateSecretFile } from './secret-file.js';

export interface SecretKey {
  /** 32 bytes, base64. Never logged. */
  key: string;
  /** Where a generated key lives; undefined when it came from MATIH_SECRET_KEY. */
  file: string | undefined;
  generated: boolean;
}

/**
 * The key that seals secrets at rest (tenant database credentials in step outputs):
 * MATIH_SECRET_KEY when set, else a key generated at first start into dataDir/secret-key. The
 * file suits one process on its own data directory; replicas sharing a server database must
 * share the key, so they need MATIH_SECRET_KEY (the composition root warns when it is missing).
 */
export function ensureSecretKey(configured: string | undefined, dataDir: string): SecretKey {
  if (configured !== undefined) return { key: configured, file: undefined, generated: false };
  const { value, generated, file } = readOrCreateSecretFile(dataDir, 'secret-key', () => randomBytes(32).toString('base64'));
  return { key: value, file, generated };
}
