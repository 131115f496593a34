import { randomInt } from 'node:crypto';
import { hashSecret, secretMatches } from './api-key-format.js';

// Crockford's base32 without I, L, O, U: nothing to misread when a person types it again.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A deletion confirmation code (spec/002 "Deletion requires platform_admin role and a
 * confirmation code"): 12 characters in three groups (60 bits), shown once, stored as a SHA-256
 * hash, valid for minutes and for one use, so guessing it is out of reach.
 */
export function generateConfirmationCode(): { code: string; hash: string } {
  let raw = '';
  for (let i = 0; i < 12; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
  const code = `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
  return { code, hash: hashSecret(normalise(code)) };
}

/** Compares in constant time; case, spaces and dashes as people type them do not matter. */
export function confirmationCodeMatches(presented: string, hash: string): boolean {
  return secretMatches(normalise(presented), hash);
}

function normalise(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}
