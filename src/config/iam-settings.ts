import type { VariableReader } from './variable-reader.js';

/** Who may call the API at first, how long its tokens live, and the key sealing secrets at rest. */
export const IAM_VARIABLES = {
  MATIH_BOOTSTRAP_TOKEN: '',
  MATIH_JWT_TTL_S: '900',
  MATIH_JWT_KEY_ROTATION_DAYS: '30',
  MATIH_SECRET_KEY: '',
  MATIH_SECRET_KEY_PREVIOUS: '',
} as const;
type IamVariable = keyof typeof IAM_VARIABLES;

export interface IamSettings {
  /** Unset: generated at first start and written to dataDir/bootstrap-token. */
  bootstrapToken: string | undefined;
  jwtTtlSeconds: number;
  /** How long one JWT signing key signs before a new one takes over (iam/signing-key-ring.ts); 0: never by age. */
  jwtKeyRotationDays: number;
  /** Base64 of 32 bytes sealing secrets at rest; unset: generated once under dataDir (iam/secret-key.ts). */
  secretKey: string | undefined;
  /**
   * Keys that sealed secrets before the current one (MATIH_SECRET_KEY_PREVIOUS, comma-separated):
   * they still open what they sealed, never seal anything, until the rotation has re-sealed it all.
   */
  previousSecretKeys: string[];
}

/** Problems never echo the token or the key. */
export function parseIamSettings(read: VariableReader<IamVariable>, problems: string[]): IamSettings {
  const bootstrapToken = read.optional('MATIH_BOOTSTRAP_TOKEN');
  if (bootstrapToken !== undefined && bootstrapToken.length < 24) {
    problems.push('MATIH_BOOTSTRAP_TOKEN must be at least 24 characters long');
  }
  return {
    bootstrapToken,
    jwtTtlSeconds: read.int('MATIH_JWT_TTL_S', 30, 86_400),
    jwtKeyRotationDays: read.int('MATIH_JWT_KEY_ROTATION_DAYS', 0, 3650),
    secretKey: parseSecretKey(read.optional('MATIH_SECRET_KEY'), problems),
    previousSecretKeys: parsePreviousSecretKeys(read.optional('MATIH_SECRET_KEY_PREVIOUS'), problems),
  };
}

function isSecretKey(raw: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(raw) && Buffer.from(raw, 'base64').length === 32;
}

function parseSecretKey(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined) return undefined;
  if (!isSecretKey(raw)) {
    problems.push('MATIH_SECRET_KEY must be 32 random bytes in base64 (openssl rand -base64 32)');
    return undefined;
  }
  return raw;
}

/** Problems name a bad entry by its position only: the list holds keys. */
function parsePreviousSecretKeys(raw: string | undefined, problems: string[]): string[] {
  if (raw === undefined) return [];
  // A stray comma (`K1,`) is not an entry.
  const entries = raw
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const bad = entries.flatMap((k, i) => (isSecretKey(k) ? [] : [i + 1]));
  if (bad.length > 0) {
    const which = bad.length === 1 ? `entry ${bad[0]} is not` : `entries ${bad.join(', ')} are not`;
    problems.push(`MATIH_SECRET_KEY_PREVIOUS must be comma-separated keys of 32 random bytes in base64 (openssl rand -base64 32); ${which}`);
    return [];
  }
  // The same key twice opens nothing more (the current key among them, the key ring skips).
  return [...new Set(entries)];
}
