import type { DnsRecordSet } from '../contract.js';

/**
 * What the embedded DNS driver and server need of their storage (the control-plane database in
 * the service: store/dns/dns-zones.ts). Declared here, by the driver, so that drivers never import
 * the store: the composition root passes an implementation that fits.
 *
 * Names are as the driver normalised them: zones absolute without the trailing dot, record names
 * relative ('@', '*', 'api'), all in lower case. Every write that changes a zone's records bumps
 * its SOA serial in the same transaction.
 */
export interface DnsZoneRow {
  name: string;
  /** 1..2^32-1, +1 on every change (wrapping past 2^32-1 to 1, as RFC 1982 serial arithmetic allows). */
  serial: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A record set as stored. `type` is text: a reader checks it before use (the row may predate a rule). */
export interface StoredRecordSet {
  name: string;
  type: string;
  ttl: number;
  values: string[];
}

export type RecordSetWrite =
  /** The set was created or replaced, and the serial bumped. */
  | 'changed'
  /** It already was exactly this; nothing written. */
  | 'unchanged'
  | 'no-zone'
  /** A set of one of the conflicting types exists at the name; nothing written. */
  | 'conflict';

export interface RecordSetFilter {
  /** Sets at exactly these names. */
  names?: readonly string[];
  /** Sets at this name or anywhere below it ("api" also gives "x.api", "*.api"). */
  branch?: string;
}

export interface DnsZoneStore {
  getZone(zone: string): Promise<DnsZoneRow | undefined>;
  /** Those of `zones` that exist, in any order (the server picks the longest that holds a name). */
  findZones(zones: readonly string[]): Promise<DnsZoneRow[]>;
  /** Creates the zone with `apex` sets at serial 1; false (and nothing written) when it exists already. */
  createZone(zone: string, apex: readonly DnsRecordSet[]): Promise<boolean>;
  /** Creates or replaces the set (zone, name, type), unless a set of one of `conflictingTypes` exists at its name. */
  upsertRecordSet(zone: string, set: DnsRecordSet, conflictingTypes: readonly string[]): Promise<RecordSetWrite>;
  /** True when it existed (and the serial was bumped). */
  deleteRecordSet(zone: string, name: string, type: string): Promise<boolean>;
  /** The zone and all its records; true when it existed. */
  deleteZone(zone: string): Promise<boolean>;
  /** The zone's sets, all or those matching either part of `filter`; ordered by name and type. */
  listRecordSets(zone: string, filter?: RecordSetFilter): Promise<StoredRecordSet[]>;
  /** Those of `zones` that exist, each with all its sets ordered by name and type, in one read. */
  readZones(zones: readonly string[]): Promise<{ zone: string; records: StoredRecordSet[] }[]>;
}

/** The reading half, which is all the server gets. */
export type DnsZoneReader = Pick<DnsZoneStore, 'findZones' | 'listRecordSets'>;
