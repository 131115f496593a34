import { type DnsDriver, DriverError, type DnsRecordSet, type DnsRecordType, type DnsZoneObservation } from '../contract.js';
import { APEX, invalid, normalizeRecordName, normalizeZoneName, quote } from './dns-name-rules.js';
import type { DnsZoneStore, StoredRecordSet } from './dns-zone-store.js';
import { DNS_RECORD_TYPES, isDnsRecordType, normalizeRecordSet, validateRecordType } from './record-set-rules.js';
import { type EmbeddedDnsOptions, type ZoneAuthority, zoneAuthority } from './zone-authority.js';

/**
 * The default DnsDriver (DESIGN.md section 5): zones and records live in the control-plane
 * database, and EmbeddedDnsServer answers them authoritatively on loopback. The parent zone and
 * every tenant's child zone are zones of this one driver; the delegation between them is an
 * ordinary NS record set in the parent that the CREATE_DNS_ZONE step writes.
 *
 * Every name and value is checked and normalised here (lower-case names, RFC 5952 IPv6) before it
 * is stored, so the server only ever encodes what passed these rules; a bad one is a permanent
 * DriverError. Errors of the database itself pass through and count as retryable.
 */
export class EmbeddedDnsDriver implements DnsDriver {
  private readonly authority: ZoneAuthority;

  constructor(
    private readonly store: DnsZoneStore,
    options: EmbeddedDnsOptions,
  ) {
    this.authority = zoneAuthority(options);
  }

  async observeZone(zone: string): Promise<DnsZoneObservation> {
    const name = normalizeZoneName(zone);
    if (!(await this.store.getZone(name))) return { exists: false, nameServers: [], records: [] };
    return observation(await this.store.listRecordSets(name));
  }

  /** One query for all of them (the store's readZones); a bad name is that zone's answer. */
  async observeZones(zones: readonly string[]): Promise<(DnsZoneObservation | Error)[]> {
    const names = zones.map((zone) => {
      try {
        return normalizeZoneName(zone);
      } catch (error) {
        return error instanceof DriverError ? error : invalid(String(error));
      }
    });
    const found = new Map((await this.store.readZones(names.filter((n): n is string => typeof n === 'string'))).map((z) => [z.zone, z.records]));
    return names.map((name) => {
      if (typeof name !== 'string') return name;
      const rows = found.get(name);
      return rows === undefined ? { exists: false, nameServers: [], records: [] } : observation(rows);
    });
  }

  async ensureZone(zone: string): Promise<{ nameServers: string[] }> {
    const name = normalizeZoneName(zone);
    const apexNs: DnsRecordSet = { name: APEX, type: 'NS', ttl: this.authority.ttl, values: this.authority.nameServers };
    // An existing zone is left as it is: its apex NS may have been changed on purpose.
    await this.store.createZone(name, [apexNs]);
    const observed = await this.observeZone(name);
    // Deleted again between the two calls: the caller's next try creates it.
    if (!observed.exists) throw new DriverError(`zone ${name} was deleted while being ensured`, true);
    return { nameServers: observed.nameServers };
  }

  async upsertRecordSet(zone: string, set: DnsRecordSet): Promise<void> {
    const name = normalizeZoneName(zone);
    const normalized = normalizeRecordSet(name, set);
    // RFC 1034 3.6.2: an alias is the only data at its name.
    const conflicting = normalized.type === 'CNAME' ? DNS_RECORD_TYPES.filter((t) => t !== 'CNAME') : ['CNAME'];
    const outcome = await this.store.upsertRecordSet(name, normalized, conflicting);
    if (outcome === 'no-zone') throw invalid(`zone ${name} does not exist (ensureZone first)`);
    if (outcome === 'conflict') {
      const other = normalized.type === 'CNAME' ? 'other records' : 'a CNAME';
      throw invalid(`${normalized.type} record set ${quote(normalized.name)} in zone ${name}: the name already has ${other}, and an alias must be alone at its name`);
    }
  }

  async deleteRecordSet(zone: string, name: string, type: DnsRecordType): Promise<void> {
    const zoneName = normalizeZoneName(zone);
    const recordName = normalizeRecordName(name, zoneName);
    const recordType = validateRecordType(type);
    // Without its apex NS a zone names no server; it may be replaced, or the zone deleted.
    if (recordName === APEX && recordType === 'NS') throw invalid(`the apex NS record set of zone ${zoneName} cannot be deleted (replace it, or delete the zone)`);
    await this.store.deleteRecordSet(zoneName, recordName, recordType);
  }

  async deleteZone(zone: string): Promise<void> {
    await this.store.deleteZone(normalizeZoneName(zone));
  }
}

/** An existing zone as observed from its stored sets. */
function observation(rows: readonly StoredRecordSet[]): DnsZoneObservation {
  const records = rows.flatMap(asRecordSet);
  const apexNs = records.find((r) => r.name === APEX && r.type === 'NS');
  return { exists: true, nameServers: apexNs ? [...apexNs.values] : [], records };
}

/** A stored set as the contract's type; a row of a type this build does not know is left out. */
function asRecordSet(row: StoredRecordSet): DnsRecordSet[] {
  return isDnsRecordType(row.type) ? [{ name: row.name, type: row.type, ttl: row.ttl, values: [...row.values] }] : [];
}
