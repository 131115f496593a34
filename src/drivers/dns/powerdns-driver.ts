import { type DnsDriver, DriverError, type DnsRecordSet, type DnsRecordType, type DnsZoneObservation, isRetryable } from '../contract.js';
import { APEX, invalid, normalizeRecordName, normalizeZoneName, quote } from './dns-name-rules.js';
import { type PowerDnsAnswer, PowerDnsClient } from './powerdns-client.js';
import { deleteRrset, ownerName, recordSetsOf, replaceRrset, sameRecordSet, zoneId } from './powerdns-records.js';
import { DNS_RECORD_TYPES, normalizeRecordSet, validateRecordType } from './record-set-rules.js';
import { type ZoneAuthority, soaOf, zoneAuthority } from './zone-authority.js';

export interface PowerDnsDriverOptions {
  /** The HTTP API of PowerDNS Authoritative (api=yes, webserver=yes), e.g. http://127.0.0.1:8081. */
  apiUrl: string;
  /** The server's api-key. A secret: sent as X-API-Key, never in messages. */
  apiKey: string;
  /** Default 'localhost', the only id PowerDNS Authoritative has. */
  serverId?: string;
  /** Host names every new zone lists as its apex NS (absolute, without the dot); the first is the SOA's primary. */
  nameServers: string[];
  /** TTL of a new zone's SOA and apex NS, and its negative-caching time. Default 300 s. */
  defaultTtl?: number;
  /** The zones' administrator, written into each new zone's SOA. Default hostmaster@{the zone}, as PowerDNS itself does. */
  soaEmail?: string;
  /** One API request may take this long. Default 10 s. */
  timeoutMs?: number;
  /** For tests: the fetch to use. Default the global one. */
  fetch?: typeof fetch;
}

const DEFAULT_TTL_S = 300;
const DEFAULT_TIMEOUT_MS = 10_000;
// zoneAuthority wants a mailbox to check; without soaEmail each zone gets hostmaster.{zone} instead.
const PLACEHOLDER_SOA_EMAIL = 'hostmaster@localhost';
// How long a zone found without its SOA gets to complete (see completedApex), pause by pause.
const INCOMPLETE_ZONE_PAUSES_MS = [100, 300, 600];

/**
 * A DnsDriver on PowerDNS Authoritative's HTTP API v1 (DESIGN.md section 5). Zones are "Native"
 * (PowerDNS replicates them through its database, not by transfers) and keep the server's
 * SOA-EDIT-API default, so every change through the API raises the serial.
 *
 * Names and values pass the embedded driver's rules first (dns-name-rules.ts,
 * record-set-rules.ts): both drivers accept and refuse the same input, and what is refused never
 * reaches the API. Absent things map to the contract: observing an absent zone gives
 * exists:false, deleting an absent zone or record set succeeds. Errors follow powerdns-client.ts:
 * no answer and 5xx retryable, refusals permanent with the API's message.
 */
export class PowerDnsDriver implements DnsDriver {
  private readonly client: PowerDnsClient;
  private readonly authority: ZoneAuthority;
  private readonly mailbox: string | undefined;

  constructor(options: PowerDnsDriverOptions) {
    this.authority = zoneAuthority({
      nameServers: options.nameServers,
      soaEmail: options.soaEmail ?? PLACEHOLDER_SOA_EMAIL,
      defaultTtl: options.defaultTtl ?? DEFAULT_TTL_S,
    });
    this.mailbox = options.soaEmail === undefined ? undefined : this.authority.mailbox;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw invalid(`invalid timeoutMs ${quote(timeoutMs)}: a positive integer`);
    this.client = new PowerDnsClient({
      apiUrl: options.apiUrl,
      apiKey: options.apiKey,
      serverId: options.serverId ?? 'localhost',
      timeoutMs,
      fetch: options.fetch ?? globalThis.fetch,
    });
  }

  async observeZone(zone: string): Promise<DnsZoneObservation> {
    const name = normalizeZoneName(zone);
    const answer = await this.client.request('GET', zonePath(name), { accept: [404] });
    if (answer.status === 404) return { exists: false, nameServers: [], records: [] };
    const records = recordSetsOf(name, rrsetsIn(answer.body));
    return { exists: true, nameServers: apexNameServers(records), records };
  }

  async ensureZone(zone: string): Promise<{ nameServers: string[] }> {
    const name = normalizeZoneName(zone);
    // An existing zone is left as it is: its apex NS may have been changed on purpose.
    const existing = await this.completedApex(name);
    if (existing !== undefined) return { nameServers: existing };
    let created: PowerDnsAnswer;
    try {
      created = await this.client.request('POST', '/zones', { body: this.newZone(name), accept: [409] });
    } catch (error) {
      // A create that loses a race inside PowerDNS may fail on the database's unique name (500)
      // rather than answer 409; one whose answer was lost may have worked. Either way: is it there now?
      if (!isRetryable(error)) throw error;
      const after = await this.completedApex(name).catch(() => undefined);
      if (after === undefined) throw error;
      return { nameServers: after };
    }
    if (created.status !== 409) return { nameServers: apexNameServers(recordSetsOf(name, rrsetsIn(created.body))) };
    // 409: someone created it between our read and our create (another replica, a retry). It is there now.
    const raced = await this.completedApex(name);
    if (raced === undefined) throw new DriverError(`zone ${name} was deleted while being ensured`, true);
    return { nameServers: raced };
  }

  async upsertRecordSet(zone: string, set: DnsRecordSet): Promise<void> {
    const name = normalizeZoneName(zone);
    const normalized = normalizeRecordSet(name, set);
    // What is at the name now, all types: to write nothing when it already is so (no serial bump,
    // nothing to notify), and to refuse an alias beside other data as the embedded driver does.
    const answer = await this.client.request('GET', `${zonePath(name)}?rrset_name=${encodeURIComponent(ownerName(normalized.name, name))}`, { accept: [404] });
    if (answer.status === 404) throw missingZone(name);
    // Older servers ignore rrset_name and list the whole zone; keep only this name.
    const atName = recordSetsOf(name, rrsetsIn(answer.body)).filter((s) => s.name === normalized.name);
    if (atName.some((s) => sameRecordSet(s, normalized))) return;
    const conflicting = normalized.type === 'CNAME' ? DNS_RECORD_TYPES.filter((t) => t !== 'CNAME') : ['CNAME'];
    if (atName.some((s) => conflicting.includes(s.type))) {
      const other = normalized.type === 'CNAME' ? 'other records' : 'a CNAME';
      throw invalid(`${normalized.type} record set ${quote(normalized.name)} in zone ${name}: the name already has ${other}, and an alias must be alone at its name`);
    }
    // PowerDNS checks the alias rule again inside its transaction: a race ends in its 422, permanent too.
    const patched = await this.client.request('PATCH', zonePath(name), { body: { rrsets: [replaceRrset(name, normalized)] }, accept: [404] });
    if (patched.status === 404) throw missingZone(name);
  }

  async deleteRecordSet(zone: string, name: string, type: DnsRecordType): Promise<void> {
    const zoneName = normalizeZoneName(zone);
    const recordName = normalizeRecordName(name, zoneName);
    const recordType = validateRecordType(type);
    // Without its apex NS a zone names no server; it may be replaced, or the zone deleted.
    if (recordName === APEX && recordType === 'NS') throw invalid(`the apex NS record set of zone ${zoneName} cannot be deleted (replace it, or delete the zone)`);
    // DELETE of an absent set is 204; 404 means the zone is gone, and the set with it.
    await this.client.request('PATCH', zonePath(zoneName), { body: { rrsets: [deleteRrset(zoneName, recordName, recordType)] }, accept: [404] });
  }

  async deleteZone(zone: string): Promise<void> {
    await this.client.request('DELETE', zonePath(normalizeZoneName(zone)), { accept: [404] });
  }

  /**
   * The apex NS values of a zone that has its SOA ([] when it has no NS), undefined when the zone
   * does not exist. PowerDNS creates a zone in two steps (the zone, then in a second transaction
   * its records), so a zone without SOA is being created right now, or was left so by a create
   * that failed between the steps (SQLite's "database is locked"). It gets a moment to complete;
   * one that stays incomplete is completed here with the SOA and NS a create would have written.
   */
  private async completedApex(zone: string): Promise<string[] | undefined> {
    let apex: { hasSoa: boolean; nameServers: string[] } | undefined;
    for (const pause of [...INCOMPLETE_ZONE_PAUSES_MS, undefined]) {
      apex = await this.readApex(zone);
      if (apex === undefined) return undefined;
      if (apex.hasSoa) return apex.nameServers;
      if (pause !== undefined) await delay(pause);
    }
    // Apex NS someone wrote are kept, as for any existing zone; only what is missing is added.
    const present = apex?.nameServers ?? [];
    const { soa, ns } = this.apexRrsets(zone);
    const rrsets = present.length > 0 ? [{ ...soa, changetype: 'REPLACE' }] : [{ ...soa, changetype: 'REPLACE' }, ns];
    const patched = await this.client.request('PATCH', zonePath(zone), { body: { rrsets }, accept: [404] });
    if (patched.status === 404) return undefined;
    return present.length > 0 ? present : [...this.authority.nameServers];
  }

  private async readApex(zone: string): Promise<{ hasSoa: boolean; nameServers: string[] } | undefined> {
    const answer = await this.client.request('GET', `${zonePath(zone)}?rrset_name=${encodeURIComponent(zoneId(zone))}`, { accept: [404] });
    if (answer.status === 404) return undefined;
    const rrsets = rrsetsIn(answer.body);
    const hasSoa = Array.isArray(rrsets) && rrsets.some((r) => isApexSoa(r, zone));
    return { hasSoa, nameServers: apexNameServers(recordSetsOf(zone, rrsets)) };
  }

  /** The POST body of a new zone: our SOA and apex NS, so it needs none of the server's defaults. */
  private newZone(zone: string): Record<string, unknown> {
    const { soa, ns } = this.apexRrsets(zone);
    return { name: zoneId(zone), kind: 'Native', nameservers: [], rrsets: [soa, ns] };
  }

  /** The SOA and apex NS of a new zone, as RRsets. */
  private apexRrsets(zone: string): { soa: Record<string, unknown>; ns: Record<string, unknown> } {
    const { ttl, nameServers } = this.authority;
    // Serial 0: SOA-EDIT-API replaces it with the first real one as the SOA is stored.
    const soa = soaOf(this.authority, 0);
    const mailbox = this.mailbox ?? `hostmaster.${zone}`;
    const content = `${soa.primary}. ${mailbox}. ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expiration} ${soa.minimum}`;
    return {
      soa: { name: zoneId(zone), type: 'SOA', ttl, records: [{ content, disabled: false }] },
      ns: replaceRrset(zone, { name: APEX, type: 'NS', ttl, values: nameServers }),
    };
  }
}

function zonePath(zone: string): string {
  return `/zones/${encodeURIComponent(zoneId(zone))}`;
}

function rrsetsIn(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? (body as { rrsets?: unknown }).rrsets : undefined;
}

function apexNameServers(records: readonly DnsRecordSet[]): string[] {
  return [...(records.find((r) => r.name === APEX && r.type === 'NS')?.values ?? [])];
}

function isApexSoa(rrset: unknown, zone: string): boolean {
  if (typeof rrset !== 'object' || rrset === null) return false;
  const { name, type } = rrset as { name?: unknown; type?: unknown };
  return type === 'SOA' && typeof name === 'string' && name.toLowerCase() === zoneId(zone);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function missingZone(zone: string): DriverError {
  return invalid(`zone ${zone} does not exist (ensureZone first)`);
}
