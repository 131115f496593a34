import { Packet, type Resource } from 'dns2';
import type { DnsAnswer, AnswerRecord } from './dns-answer.js';
import { normalizeValue } from './record-set-rules.js';
import { expandedIPv6, parseIPv6 } from './ip-addresses.js';
import type { QueryType } from './zone-lookup.js';

/**
 * Between dns2's packets and DnsAnswer. Every value is checked again on its way into the encoder
 * (the driver checked it before storing, but a row may have been written by hand): dns2 writes
 * whatever it is given, and a malformed value would become a malformed message.
 */

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;
export type Rcode = (typeof RCODE)[keyof typeof RCODE];

const QUERY_TYPES: ReadonlyMap<number, QueryType> = new Map<number, QueryType>([
  [Packet.TYPE.A, 'A'],
  [Packet.TYPE.AAAA, 'AAAA'],
  [Packet.TYPE.CNAME, 'CNAME'],
  [Packet.TYPE.NS, 'NS'],
  [Packet.TYPE.TXT, 'TXT'],
  [Packet.TYPE.SOA, 'SOA'],
  [Packet.TYPE.ANY, 'ANY'],
]);

/** Zone transfers (AXFR 252, IXFR 251) are not offered. */
export const ZONE_TRANSFER_TYPES: ReadonlySet<number> = new Set([251, 252]);

/**
 * The largest query read. No honest one comes close (a question is at most 259 octets, EDNS
 * options a few dozen), and dns2's parser is slow enough per octet that this bounds its work.
 */
export const MAX_QUERY_OCTETS = 1232;
// A query has one question and perhaps an OPT and a TSIG; a header claiming thousands of records
// would send dns2's parser through thousands of failing reads (seconds of CPU for 12 octets).
const MAX_QUERY_RECORDS = 8;

/** The query in `data`, or undefined when it is not one worth parsing or does not parse. */
export function parseQuery(data: Buffer): Packet | undefined {
  if (!isPlausibleQuery(data)) return undefined;
  try {
    return Packet.parse(data);
  } catch {
    return undefined;
  }
}

/** Short enough, and claiming few enough records, to hand to dns2's parser. */
export function isPlausibleQuery(data: Buffer): boolean {
  if (data.length < 12 || data.length > MAX_QUERY_OCTETS) return false;
  const records = data.readUInt16BE(4) + data.readUInt16BE(6) + data.readUInt16BE(8) + data.readUInt16BE(10);
  return records <= MAX_QUERY_RECORDS;
}

export function queryTypeOf(type: number): QueryType {
  return QUERY_TYPES.get(type) ?? 'OTHER';
}

/** The response to `request` carrying `answer`. Throws when a stored value does not pass the rules. */
export function answerPacket(request: Packet, answer: DnsAnswer): Packet {
  const response = replyTo(request, RCODE[answer.rcode]);
  response.header.aa = answer.authoritative ? 1 : 0;
  response.answers = answer.answers.map(toResource);
  response.authorities = answer.authority.map(toResource);
  return response;
}

/** An empty response with `rcode`, e.g. SERVFAIL after an error, FORMERR for a malformed question. */
export function replyTo(request: Packet, rcode: Rcode): Packet {
  const response = Packet.createResponseFromRequest(request);
  response.header.rcode = rcode;
  // EDNS (RFC 6891): a requester that sent OPT gets one back. dns2 carries an rcode above 15 in it.
  if (ednsOf(request) !== undefined) response.additionals.push(Packet.Resource.EDNS([]));
  return response;
}

/** The EDNS version the request asked for; undefined without EDNS. */
export function ednsOf(request: Packet): number | undefined {
  const opt: (Resource & { version?: unknown }) | undefined = request.additionals.find((r) => r.type === Packet.TYPE.EDNS);
  if (opt === undefined) return undefined;
  return typeof opt.version === 'number' ? opt.version : 0;
}

function toResource(record: AnswerRecord): Resource {
  const base = { name: record.owner, class: Packet.CLASS.IN, ttl: record.ttl };
  const where = `stored ${record.type} record of ${record.owner}`;
  switch (record.type) {
    case 'SOA':
      return new Packet.Resource({ ...base, type: Packet.TYPE.SOA, ...record.soa, ttl: record.ttl });
    case 'A':
      return new Packet.Resource({ ...base, type: Packet.TYPE.A, address: normalizeValue('A', record.value, where) });
    case 'AAAA': {
      const groups = parseIPv6(normalizeValue('AAAA', record.value, where));
      if (groups === undefined) throw new Error(`${where} is not an IPv6 address`);
      return new Packet.Resource({ ...base, type: Packet.TYPE.AAAA, address: expandedIPv6(groups) });
    }
    case 'NS':
      return new Packet.Resource({ ...base, type: Packet.TYPE.NS, ns: normalizeValue('NS', record.value, where) });
    case 'CNAME':
      return new Packet.Resource({ ...base, type: Packet.TYPE.CNAME, domain: normalizeValue('CNAME', record.value, where) });
    case 'TXT':
      return new Packet.Resource({ ...base, type: Packet.TYPE.TXT, data: [normalizeValue('TXT', record.value, where)] });
  }
}
