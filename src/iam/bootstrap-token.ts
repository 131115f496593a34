import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readOrCreateSecretFile } from './secret-file.js';

export interface BootstrapToken {
  token: string;
  /** True when this start generated it: the caller prints it, once. */
  generated: boolean;
  /** Where a generated token was written; undefined when it came from the environment. */
  file: string | undefined;
}

/**
 * MATIH_BOOTSTRAP_TOKEN when set; otherwise the token in dataDir/bootstrap-token, generated and
 * written there (mode 0600) at first start.
 */
export function ensureBootstrapToken(configured: string | undefined, dataDir: string): BootstrapToken {
  if (configured !== undefined) return { token: configured, generated: false, file: undefined };
  const { value, generated, file } = readOrCreateSecretFile(dataDir, 'bootstrap-token', () => `mtb_${randomBytes(32).toString('base64url')}`);
  return { token: value, generated, file };
}

/** Compares in constant time, so response timing says nothing about the token. */
export function bootstrapMatcher(token: string): (candidate: string) => boolean {
  const expected = createHash('sha256').update(token).digest();
  return (candidate) => timingSafeEqual(createHash('sha256').update(candidate).digest(), expected);
}
