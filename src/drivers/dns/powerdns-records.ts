import type { DnsRecordSet, DnsRecordType } from '../contract.js';
import { APEX, absoluteName, lowerAscii, relativeName } from './dns-name-rules.js';
import { formatIPv6, parseIPv6 } from './ip-addresses.js';
import { isDnsRecordType } from './record-set-rules.js';

/**
 * Between the contract's record sets (relative names, host names without the trailing dot, TXT
 * as plain strings) and the PowerDNS API's RRsets (absolute names with the dot, record content
 * in zone-file presentation format).
 */

/** An RRset as the API lists it in a zone (only the fields we read). */
export interface PowerDnsRrset {
  name: string;
  type: string;
  ttl: number;
  records: Array<{ content: string; disabled?: boolean }>;
}

/** The API's name for a zone, and its id in URLs: the canonical name with the trailing dot. */
export function zoneId(zone: string): string {
  return `${zone}.`;
}

/** The absolute name with the trailing dot, as the API writes owner names. */
export function ownerName(relative: string, zone: string): string {
  return `${absoluteName(relative, zone)}.`;
}

/** The body part that makes the set exactly `set` (changetype REPLACE); `set` is already normalised. */
export function replaceRrset(zone: string, set: DnsRecordSet): Record<string, unknown> {
  return {
    name: ownerName(set.name, zone),
    type: set.type,
    ttl: set.ttl,
    changetype: 'REPLACE',
    records: set.values.map((value) => ({ content: contentOf(set.type, value), disabled: false })),
  };
}

export function deleteRrset(zone: string, name: string, type: DnsRecordType): Record<string, unknown> {
  return { name: ownerName(name, zone), type, changetype: 'DELETE' };
}

/**
 * The RRsets of the API as the contract's record sets, ordered by name and type. Left out: SOA
 * (the provider's business), types the contract does not know (MX, CAA, ... added by someone
 * else), disabled records and sets with none enabled.
 */
export function recordSetsOf(zone: string, rrsets: unknown): DnsRecordSet[] {
  if (!Array.isArray(rrsets)) return [];
  const sets: DnsRecordSet[] = [];
  for (const rrset of rrsets as unknown[]) {
    if (!isRrset(rrset) || !isDnsRecordType(rrset.type)) continue;
    const name = relativeName(lowerAscii(rrset.name.replace(/\.$/, '')), zone);
    const type = rrset.type;
    const values = rrset.records.filter((r) => r.disabled !== true).map((r) => valueOf(type, r.content));
    if (name === undefined || values.length === 0) continue;
    sets.push({ name, type, ttl: rrset.ttl, values });
  }
  return sets.sort((a, b) => compare(a.name, b.name) || compare(a.type, b.type));
}

/** The same set: name, type, TTL and values (in any order, as DNS sets are unordered). */
export function sameRecordSet(a: DnsRecordSet, b: DnsRecordSet): boolean {
  if (a.name !== b.name || a.type !== b.type || a.ttl !== b.ttl || a.values.length !== b.values.length) return false;
  const left = [...a.values].sort();
  const right = [...b.values].sort();
  return left.every((value, i) => value === right[i]);
}

/** The record content PowerDNS parses: host names absolute with the dot, TXT quoted and escaped. */
export function contentOf(type: DnsRecordType, value: string): string {
  switch (type) {
    case 'A':
    case 'AAAA':
      return value;
    case 'NS':
    case 'CNAME':
      return `${value}.`;
    case 'TXT':
      return quoteTxt(value);
  }
}

/** A record's content as the contract's value: the inverse of contentOf for what PowerDNS gives back. */
export function valueOf(type: DnsRecordType, content: string): string {
  switch (type) {
    case 'A':
      return content;
    case 'AAAA': {
      const groups = parseIPv6(content);
      return groups === undefined ? content : formatIPv6(groups);
    }
    case 'NS':
    case 'CNAME':
      return lowerAscii(content.replace(/\.$/, ''));
    case 'TXT':
      return unquoteTxt(content);
  }
}

/**
 * One character-string in presentation format (RFC 1035 5.1): printable ASCII as itself, '"' and
 * '\' escaped, every other octet of the UTF-8 encoding as \DDD, so any value reaches the wire as
 * exactly its UTF-8 bytes.
 */
export function quoteTxt(value: string): string {
  let out = '"';
  for (const octet of Buffer.from(value, 'utf8')) {
    if (octet === 0x22 || octet === 0x5c) out += `\\${String.fromCharCode(octet)}`;
    else if (octet >= 0x20 && octet <= 0x7e) out += String.fromCharCode(octet);
    else out += `\\${String(octet).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/**
 * TXT content as PowerDNS writes it back: one or more character-strings, quoted (or not, when a
 * record came from elsewhere), with \X and \DDD escapes. Several strings are joined, as readers
 * of long TXT values (SPF, DKIM) do.
 */
export function unquoteTxt(content: string): string {
  const octets: number[] = [];
  const literal = (char: string) => octets.push(...Buffer.from(char, 'utf8'));
  const chars = [...content];
  let quoted = false;
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] ?? '';
    if (char === '"') {
      quoted = !quoted;
    } else if (char === '\\' && i + 1 < chars.length) {
      const digits = chars.slice(i + 1, i + 4).join('');
      if (/^[0-9]{3}$/.test(digits)) {
        octets.push(Number(digits) & 0xff);
        i += 3;
      } else {
        literal(chars[i + 1] ?? '');
        i += 1;
      }
    } else if (quoted || (char !== ' ' && char !== '\t')) {
      // Outside quotes, blanks only separate strings.
      literal(char);
    }
  }
  return Buffer.from(octets).toString('utf8');
}

function isRrset(value: unknown): value is PowerDnsRrset {
  if (typeof value !== 'object' || value === null) return false;
  const rrset = value as Partial<PowerDnsRrset>;
  return (
    typeof rrset.name === 'string' &&
    typeof rrset.type === 'string' &&
    typeof rrset.ttl === 'number' &&
    Array.isArray(rrset.records) &&
    rrset.records.every((r) => typeof r === 'object' && r !== null && typeof (r as { content?: unknown }).content === 'string')
  );
}

/** Code-point order, the same on every machine (localeCompare is not). '@' sorts as the apex, first. */
function compare(a: string, b: string): number {
  if (a === b) return 0;
  if (a === APEX) return -1;
  if (b === APEX) return 1;
  return a < b ? -1 : 1;
}
