import type { RecordSet } from '@azure/arm-dns';
import type { DnsRecordSet, DnsRecordType } from '../contract.js';
import { lowerAscii } from './dns-name-rules.js';
import { formatIPv6, parseIPv6 } from './ip-addresses.js';
import { isDnsRecordType } from './record-set-rules.js';

/**
 * The contract's record sets in Azure DNS's shape (@azure/arm-dns RecordSet) and back. Azure
 * names record sets relative to the zone exactly as the contract does ('@' for the apex, '*' for
 * the wildcard), so names pass through; only values change shape. Values going out are already
 * normalised (record-set-rules.ts); values coming back are normalised the same way, so a set
 * read back compares equal to the set that was written.
 */

/** The body of a PUT: TTL and the one record array of `set.type`. Nothing else (no metadata, no alias target). */
export function toAzureRecordSet(set: DnsRecordSet): RecordSet {
  const base: RecordSet = { ttl: set.ttl };
  switch (set.type) {
    case 'A':
      return { ...base, aRecords: set.values.map((ipv4Address) => ({ ipv4Address })) };
    case 'AAAA':
      return { ...base, aaaaRecords: set.values.map((ipv6Address) => ({ ipv6Address })) };
    case 'CNAME':
      return { ...base, cnameRecord: { cname: set.values[0] } };
    case 'NS':
      return { ...base, nsRecords: set.values.map((nsdname) => ({ nsdname })) };
    case 'TXT':
      // One TXT record per value, each a single character-string (<= 255 octets, checked before).
      return { ...base, txtRecords: set.values.map((value) => ({ value: [value] })) };
  }
}

/**
 * A record set as Azure holds it, in the contract's terms; undefined for what the contract has no
 * words for: other types (SOA, MX, SRV, CAA, PTR), alias record sets (their records are the
 * target resource's, not values) and empty sets.
 */
export function fromAzureRecordSet(set: RecordSet): DnsRecordSet | undefined {
  const type = recordTypeOf(set);
  if (type === undefined || set.name === undefined || set.targetResource?.id !== undefined) return undefined;
  const values = valuesOf(set, type);
  if (values.length === 0) return undefined;
  return { name: lowerAscii(set.name), type, ttl: set.ttl ?? 0, values };
}

/** True when Azure's set already says exactly what `desired` says: same TTL, same values in any order. */
export function sameRecordSet(actual: RecordSet, desired: DnsRecordSet): boolean {
  if (actual.ttl !== desired.ttl || actual.targetResource?.id !== undefined) return false;
  const values = valuesOf(actual, desired.type);
  if (values.length !== desired.values.length) return false;
  const wanted = [...desired.values].sort();
  return [...values].sort().every((value, i) => value === wanted[i]);
}

/** A host name as Azure writes it ("ns1-01.azure-dns.com.") the way the contract does. */
export function hostName(name: string): string {
  return lowerAscii(name.endsWith('.') ? name.slice(0, -1) : name);
}

/** "Microsoft.Network/dnszones/A" -> 'A'. */
function recordTypeOf(set: RecordSet): DnsRecordType | undefined {
  const type = set.type?.split('/').pop()?.toUpperCase();
  return isDnsRecordType(type) ? type : undefined;
}

function valuesOf(set: RecordSet, type: DnsRecordType): string[] {
  const defined = (values: (string | undefined)[] | undefined) => (values ?? []).filter((v): v is string => v !== undefined);
  switch (type) {
    case 'A':
      return defined(set.aRecords?.map((r) => r.ipv4Address));
    case 'AAAA':
      return defined(set.aaaaRecords?.map((r) => r.ipv6Address)).map(canonicalIPv6);
    case 'CNAME':
      return defined([set.cnameRecord?.cname]).map(hostName);
    case 'NS':
      return defined(set.nsRecords?.map((r) => r.nsdname)).map(hostName);
    case 'TXT':
      // A long TXT value may have been split into several strings by another tool: it is one value.
      return defined(set.txtRecords?.map((r) => r.value?.join('')));
  }
}

function canonicalIPv6(text: string): string {
  const groups = parseIPv6(text);
  return groups === undefined ? text : formatIPv6(groups);
}
