import type { DnsRecordSet, DnsRecordType } from '../contract.js';
import { APEX, WILDCARD, isBelow, pathFromApex } from './dns-name-rules.js';

/** What a question asks for: a type we hold, SOA, ANY, or something we never hold (MX, SRV, ...). */
export type QueryType = DnsRecordType | 'SOA' | 'ANY' | 'OTHER';

/** How one zone answers one name (RFC 1034 4.3.2, RFC 4592 for wildcards), before any alias is followed. */
export type ZoneLookup =
  /** `sets` answer the name (owner: the name asked, also when synthesised from a wildcard); `soa` adds the zone's SOA. */
  | { kind: 'answer'; sets: DnsRecordSet[]; soa: boolean }
  /** The name exists but has nothing of the type asked. */
  | { kind: 'no-data' }
  | { kind: 'no-domain' }
  /** The name is at or below `cut`, delegated by `ns` to servers not answering it here. */
  | { kind: 'referral'; cut: string; ns: DnsRecordSet };

/**
 * Answers `relative` (a name relative to the zone, '@' for the apex) from the zone's record sets.
 * `records` must hold at least every set at or below the first label of `relative` (its branch)
 * and those at '@' and '*'; the server reads exactly that.
 */
export function lookupInZone(records: readonly DnsRecordSet[], relative: string, qtype: QueryType): ZoneLookup {
  const byName = new Map<string, DnsRecordSet[]>();
  for (const set of records) byName.set(set.name, [...(byName.get(set.name) ?? []), set]);

  // A zone cut: going down from the apex, the first name with NS hands the rest to other servers.
  for (const name of pathFromApex(relative)) {
    const ns = byName.get(name)?.find((s) => s.type === 'NS');
    if (ns) return { kind: 'referral', cut: name, ns };
  }

  const exact = byName.get(relative);
  if (exact !== undefined || relative === APEX) return answerFrom(exact ?? [], qtype, relative === APEX);

  const exists = (name: string) => byName.has(name) || records.some((s) => isBelow(s.name, name));
  // An empty non-terminal ("b" when only "a.b" has records) exists: no data, and no wildcard.
  if (exists(relative)) return { kind: 'no-data' };

  // RFC 4592 3.3.1: the closest encloser is the nearest existing ancestor; only its own '*' child
  // may answer for the missing name, however many labels are missing below it.
  const ancestors = [...pathFromApex(relative).slice(0, -1).reverse(), APEX];
  const encloser = ancestors.find(exists) ?? APEX;
  const source = byName.get(encloser === APEX ? WILDCARD : `${WILDCARD}.${encloser}`);
  return source ? answerFrom(source, qtype, false) : { kind: 'no-domain' };
}

function answerFrom(sets: readonly DnsRecordSet[], qtype: QueryType, atApex: boolean): ZoneLookup {
  if (qtype === 'ANY') return { kind: 'answer', sets: [...sets], soa: atApex };
  if (qtype === 'SOA') return atApex ? { kind: 'answer', sets: [], soa: true } : { kind: 'no-data' };
  const match = sets.find((s) => s.type === qtype) ?? sets.find((s) => s.type === 'CNAME');
  return match ? { kind: 'answer', sets: [match], soa: false } : { kind: 'no-data' };
}
