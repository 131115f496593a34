import { randomUUID } from 'node:crypto';

/**
 * UUID version 7 (RFC 9562): a millisecond timestamp then randomness. Ids sort by creation
 * time, so lists page on the primary key alone and inserts stay at the right end of the index.
 *
 * The random bits are a version 4 UUID's (74 of its 122, as many as version 7 has): randomUUID
 * draws from a cached pool of entropy, one system call per 128 ids where randomBytes(16) makes
 * one per id, and a create makes about ten ids.
 */
export function newId(now: number = Date.now()): string {
  // Version 4 layout: 8-4-4-4-12 hex digits, the 15th character the version (4), the 20th the variant.
  const random = randomUUID();
  const time = now.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
