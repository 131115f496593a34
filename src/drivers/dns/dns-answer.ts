import type { DnsRecordSet, DnsRecordType } from '../contract.js';
import { APEX, WILDCARD, absoluteName, lowerAscii, pathFromApex, relativeName } from './dns-name-rules.js';
import type { DnsZoneReader, DnsZoneRow } from './dns-zone-store.js';
import { isDnsRecordType } from './record-set-rules.js';
import { type SoaRecord, type ZoneAuthority, soaOf } from './zone-authority.js';
import { type QueryType, lookupInZone } from './zone-lookup.js';

/** One resource record of an answer, before it is encoded. */
export type AnswerRecord =
  | { owner: string; ttl: number; type: DnsRecordType; value: string }
  | { owner: string; ttl: number; type: 'SOA'; soa: SoaRecord };

/** The answer to one question, independent of the wire format. */
export interface DnsAnswer {
  rcode: 'NOERROR' | 'NXDOMAIN' | 'REFUSED';
  /** The AA flag: false for a refusal and for a referral to other servers. */
  authoritative: boolean;
  answers: AnswerRecord[];
  authority: AnswerRecord[];
}

// An alias chain this long is a loop or a mistake; resolvers give up sooner.
const MAX_ALIAS_HOPS = 8;

/**
 * Answers `qname` (as asked: owner names keep its case) from the most specific zone that holds it,
 * following aliases through the zones held here as an authoritative server does (RFC 1034 4.3.2
 * step 3a), with the final name's result code (RFC 6604). Names outside every zone are REFUSED:
 * this server is no resolver.
 */
export async function answerQuestion(store: DnsZoneReader, authority: ZoneAuthority, qname: string, qtype: QueryType): Promise<DnsAnswer> {
  const answer: DnsAnswer = { rcode: 'NOERROR', authoritative: true, answers: [], authority: [] };
  const visited = new Set<string>();
  let owner = qname;
  for (let hop = 0; hop <= MAX_ALIAS_HOPS; hop++) {
    const name = lowerAscii(owner);
    if (visited.has(name)) return answer;
    visited.add(name);
    const zone = await closestZone(store, name);
    if (zone === undefined) return hop === 0 ? { ...answer, rcode: 'REFUSED', authoritative: false } : answer;
    const relative = relativeName(name, zone.name) ?? APEX;
    const found = lookupInZone(await readBranch(store, zone.name, relative), relative, qtype);
    const soa: AnswerRecord = { owner: zone.name, ttl: authority.ttl, type: 'SOA', soa: soaOf(authority, zone.serial) };
    switch (found.kind) {
      case 'no-data':
        answer.authority.push(soa);
        return answer;
      case 'no-domain':
        answer.authority.push(soa);
        return { ...answer, rcode: 'NXDOMAIN' };
      case 'referral':
        answer.authority.push(...recordsOf(found.ns, absoluteName(found.cut, zone.name)));
        // Only the servers named know the delegated names; the alias leading here was ours.
        return hop === 0 ? { ...answer, authoritative: false } : answer;
      case 'answer': {
        if (found.soa) answer.answers.push({ ...soa, owner });
        for (const set of found.sets) answer.answers.push(...recordsOf(set, owner));
        const alias = found.sets.length === 1 && found.sets[0]?.type === 'CNAME' && qtype !== 'CNAME' && qtype !== 'ANY' ? found.sets[0].values[0] : undefined;
        if (alias === undefined) return answer;
        owner = alias;
      }
    }
  }
  return answer;
}

/** The longest zone held here that `name` is at or under. */
async function closestZone(store: DnsZoneReader, name: string): Promise<DnsZoneRow | undefined> {
  const labels = name.split('.');
  const candidates = labels.map((_, i) => labels.slice(i).join('.')).filter((c) => c !== '');
  const zones = await store.findZones(candidates);
  return zones.reduce<DnsZoneRow | undefined>((best, z) => (best === undefined || z.name.length > best.name.length ? z : best), undefined);
}

/** What lookupInZone needs for `relative`: its branch below the apex and the apex wildcard; for the apex, the apex. */
async function readBranch(store: DnsZoneReader, zone: string, relative: string): Promise<DnsRecordSet[]> {
  const top = pathFromApex(relative)[0];
  const rows = await store.listRecordSets(zone, top === undefined ? { names: [APEX] } : { branch: top, names: [WILDCARD] });
  // A row of a type this build does not serve is skipped rather than trusted.
  return rows.flatMap((row) => (isDnsRecordType(row.type) ? [{ name: row.name, type: row.type, ttl: row.ttl, values: row.values }] : []));
}

function recordsOf(set: DnsRecordSet, owner: string): AnswerRecord[] {
  return set.values.map((value) => ({ owner, ttl: set.ttl, type: set.type, value }));
}
