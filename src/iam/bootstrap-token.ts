import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

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
  const file = path.join(dataDir, 'bootstrap-token');
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length > 0) return { token: existing, generated: false, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const token = `mtb_${randomBytes(32).toString('base64url')}`;
  try {
    // 'wx': if another process got there first, its token is the one: read it instead.
    fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { token: fs.readFileSync(file, 'utf8').trim(), generated: false, file };
  }
  return { token, generated: true, file };
}

/** Compares in constant time, so response timing says nothing about the token. */
export function bootstrapMatcher(token: string): (candidate: string) => boolean {
  const expected = createHash('sha256').update(token).digest();
  return (candidate) => timingSafeEqual(createHash('sha256').update(candidate).digest(), expected);
}
