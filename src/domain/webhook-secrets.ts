/**
 * Webhook signing secrets as an operator writes them, shared by the configuration (which checks
 * them) and the webhook sink (which signs with them).
 *
 * The Standard Webhooks form (standardwebhooks.com): `whsec_` then the standard, padded base64 of
 * the HMAC-SHA256 key, 24 to 64 bytes. A secret without the prefix is one from before Standard
 * Webhooks: its UTF-8 bytes are the key, as they were, and it must be at least 16 characters.
 *
 * No function here puts a secret, or any part of one, in what it returns as a problem.
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** The key length the specification asks of a `whsec_` secret. */
export const WEBHOOK_KEY_BYTES = { min: 24, max: 64 } as const;
export const MIN_LEGACY_WEBHOOK_SECRET_LENGTH = 16;
/** The current secret, and during a rotation the one being retired. */
export const MAX_WEBHOOK_SECRETS = 2;

/** The standard base64 alphabet (not the URL-safe one); padding and canonical form are checked by re-encoding. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The secrets of one endpoint, newest first, from a configured value: a comma-separated list of
 * `whsec_` secrets (in which an entry without the prefix is a legacy secret, so a rotation away
 * from one works), or, when the value does not start with `whsec_`, one legacy secret taken
 * whole, commas included, as before.
 */
export function splitWebhookSecrets(value: string): string[] {
  const trimmed = value.trim();
  if (trimmed === '') return [];
  if (!trimmed.startsWith(WEBHOOK_SECRET_PREFIX)) return [trimmed];
  return trimmed
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export type DecodedWebhookSecret = { key: Buffer; problem?: undefined } | { key?: undefined; problem: string };

/**
 * The HMAC key of one secret, or what is wrong with it as the end of a sentence naming the secret
 * (`MATIH_WEBHOOK_SECRET ` + problem); the problem never quotes the secret.
 */
export function decodeWebhookSecret(secret: string): DecodedWebhookSecret {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    if (secret.length < MIN_LEGACY_WEBHOOK_SECRET_LENGTH) {
      return { problem: `must be at least ${MIN_LEGACY_WEBHOOK_SECRET_LENGTH} characters long (or a ${WEBHOOK_SECRET_PREFIX} secret)` };
    }
    return { key: Buffer.from(secret, 'utf8') };
  }
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  // Node's decoder skips what it cannot read; a receiver's may refuse it, or read other bytes.
  const key = Buffer.from(encoded, 'base64');
  if (!BASE64.test(encoded) || key.toString('base64') !== encoded) {
    return { problem: `must be ${WEBHOOK_SECRET_PREFIX} followed by standard base64 (A-Z a-z 0-9 + /, padded with =)` };
  }
  if (key.length < WEBHOOK_KEY_BYTES.min || key.length > WEBHOOK_KEY_BYTES.max) {
    return {
      problem: `must encode ${WEBHOOK_KEY_BYTES.min} to ${WEBHOOK_KEY_BYTES.max} random bytes after ${WEBHOOK_SECRET_PREFIX} (this one has ${key.length}); make one with: echo "${WEBHOOK_SECRET_PREFIX}$(openssl rand -base64 32)"`,
    };
  }
  return { key };
}
