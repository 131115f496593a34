import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { newId } from '../domain/ids.js';

/**
 * API keys look like `mtk_<32 hex: key id>_<43 chars: secret>`. The id finds the row; the
 * secret is 256 random bits, so a fast SHA-256 is the right hash (a slow password hash guards
 * guessable secrets; these are not). The prefix makes leaked keys easy to scan for.
 */
export const API_KEY_PREFIX = 'mtk_';
const API_KEY_PATTERN = /^mtk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedApiKey {
  id: string;
  /** The whole key, shown to its owner once and never stored. */
  token: string;
  secretHash: string;
}

export function generateApiKey(): GeneratedApiKey {
  const id = newId();
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${API_KEY_PREFIX}${id.replaceAll('-', '')}_${secret}`, secretHash: hashSecret(secret) };
}

export function parseApiKey(token: string): { id: string; secret: string } | undefined {
  const match = API_KEY_PATTERN.exec(token);
  if (!match?.[1] || !match[2]) return undefined;
  const hex = match[1];
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { id, secret: match[2] };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
