import type { DnsRecordSet, DnsRecordType } from '../contract.js';
import { APEX, WILDCARD, invalid, normalizeHostName, normalizeRecordName, normalizeTargetName, quote } from './dns-name-rules.js';
import { formatIPv6, isIPv4, parseIPv6 } from './ip-addresses.js';

export const DNS_RECORD_TYPES: readonly DnsRecordType[] = ['A', 'AAAA', 'CNAME', 'NS', 'TXT'];

/** RFC 2181 section 8: a TTL is 0..2^31-1 seconds. */
export const MAX_TTL = 2_147_483_647;
/** A record set is a handful of addresses or names; a long one is a caller bug and would not fit a DNS message. */
export const MAX_VALUES = 64;
/** One TXT character-string (RFC 1035 3.3.14): a length octet, so at most 255 octets. */
export const MAX_TXT_OCTETS = 255;

export function isDnsRecordType(type: unknown): type is DnsRecordType {
  return typeof type === 'string' && (DNS_RECORD_TYPES as readonly string[]).includes(type);
}

export function validateTtl(ttl: unknown, what = 'TTL'): number {
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL) {
    throw invalid(`invalid ${what} ${quote(ttl)}: an integer number of seconds from 0 to ${MAX_TTL}`);
  }
  return ttl;
}

export function validateRecordType(type: unknown): DnsRecordType {
  if (!isDnsRecordType(type)) throw invalid(`unsupported record type ${quote(type)}: one of ${DNS_RECORD_TYPES.join(', ')}`);
  return type;
}

/**
 * The record set as it will be stored and served: names in lower case, IPv6 in RFC 5952 form,
 * or a permanent DriverError naming what is wrong. Refuses what DNS forbids as well as what is
 * malformed: an alias at the apex or beside other data is the caller's job to check (RFC 1034
 * 3.6.2); here only a CNAME with several targets, NS at a wildcard (RFC 4592 4.2), duplicates.
 */
export function normalizeRecordSet(zone: string, set: DnsRecordSet): DnsRecordSet {
  if (typeof set !== 'object' || set === null) throw invalid('a record set must be an object');
  const name = normalizeRecordName(set.name, zone);
  const type = validateRecordType(set.type);
  const ttl = validateTtl(set.ttl);
  const where = `${type} record set ${quote(set.name)} in zone ${zone}`;
  if (!Array.isArray(set.values) || set.values.length === 0) throw invalid(`${where} needs at least one value (delete the set instead)`);
  if (set.values.length > MAX_VALUES) throw invalid(`${where} has more than ${MAX_VALUES} values`);
  const values = set.values.map((value: unknown) => normalizeValue(type, value, where));
  if (new Set(values).size !== values.length) throw invalid(`${where} lists a value twice`);
  if (type === 'CNAME' && values.length !== 1) throw invalid(`${where} must have exactly one target`);
  if (type === 'CNAME' && name === APEX) throw invalid(`${where}: the apex holds SOA and NS, so it cannot be an alias`);
  if (type === 'NS' && (name === WILDCARD || name.startsWith(`${WILDCARD}.`))) throw invalid(`${where}: a wildcard cannot delegate`);
  return { name, type, ttl, values };
}

/** One value of a record of `type`, checked and in its canonical form. */
export function normalizeValue(type: DnsRecordType, value: unknown, where: string): string {
  if (typeof value !== 'string') throw invalid(`${where}: value ${quote(value)} is not a string`);
  switch (type) {
    case 'A':
      if (!isIPv4(value)) throw invalid(`${where}: ${quote(value)} is not an IPv4 address (dotted decimal)`);
      return value;
    case 'AAAA': {
      const groups = parseIPv6(value);
      if (groups === undefined) throw invalid(`${where}: ${quote(value)} is not an IPv6 address`);
      return formatIPv6(groups);
    }
    case 'NS':
      return normalizeHostName(value, `name server in ${where}`);
    case 'CNAME':
      return normalizeTargetName(value, `alias target in ${where}`);
    case 'TXT':
      if (Buffer.byteLength(value, 'utf8') > MAX_TXT_OCTETS) throw invalid(`${where}: a TXT value is at most ${MAX_TXT_OCTETS} octets (UTF-8)`);
      return value;
  }
}
