import type { VariableReader } from './variable-reader.js';

/** Who may call the API at first, how long its tokens live, and the key sealing secrets at rest. */
export const IAM_VARIABLES = {
  MATIH_BOOTSTRAP_TOKEN: '',
  MATIH_JWT_TTL_S: '900',
  MATIH_JWT_KEY_ROTATION_DAYS: '30',
  MATIH_SECRET_KEY: '',
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
  };
}

function parseSecretKey(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^[A-Za-z0-9+/]{43}=$/.test(raw) || Buffer.from(raw, 'base64').length !== 32) {
    problems.push('MATIH_SECRET_KEY must be 32 random bytes in base64 (openssl rand -base64 32)');
    return undefined;
  }
  return raw;
}
