import { type ExpressionBuilder, type Expression, type SqlBool, sql } from 'kysely';
import type { Db } from '../open-database.js';
import type { Schema } from '../schema.js';

/**
 * Persistence of the embedded DNS server: zones and their record sets. A write that changes a
 * zone's records bumps its SOA serial in the same transaction, under a lock on the zone's row, so
 * concurrent writers (several replicas) serialise per zone and the serial moves with every change.
 */
export interface DnsZoneRow {
  name: string;
  serial: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface DnsRecordSetRow {
  name: string;
  type: string;
  ttl: number;
  values: string[];
}

export type DnsRecordSetWrite = 'changed' | 'unchanged' | 'no-zone' | 'conflict';

export interface DnsRecordSetFilter {
  names?: readonly string[];
  /** This name and every name below it; '@' (the apex) is the whole zone. */
  branch?: string;
}

const ZONE_COLUMNS = ['name', 'serial', 'createdAt', 'updatedAt'] as const;
const RECORD_COLUMNS = ['name', 'type', 'ttl', 'values'] as const;
// RFC 1982 serial arithmetic: after 2^32-1 comes 1 again (0 is skipped, some tools read it as "unset").
const nextSerial = sql<number>`(serial % 4294967295) + 1`;

// A bigint column: node-postgres reads it as a string; a serial fits a number.
const toZone = (row: Omit<DnsZoneRow, 'serial'> & { serial: string | number }): DnsZoneRow => ({ ...row, serial: Number(row.serial) });

export async function getDnsZone(db: Db, zone: string): Promise<DnsZoneRow | undefined> {
  const row = await db.selectFrom('dnsZones').select(ZONE_COLUMNS).where('name', '=', zone).executeTakeFirst();
  return row && toZone(row);
}

export async function findDnsZones(db: Db, zones: readonly string[]): Promise<DnsZoneRow[]> {
  if (zones.length === 0) return [];
  const rows = await db.selectFrom('dnsZones').select(ZONE_COLUMNS).where('name', 'in', zones).execute();
  return rows.map(toZone);
}

/** Creates the zone at serial 1 with its apex sets; false when it existed (then nothing is written). */
export async function createDnsZone(db: Db, zone: string, apex: readonly DnsRecordSetRow[]): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('dnsZones')
      .values({ name: zone })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning('name')
      .executeTakeFirst();
    if (!created) return false;
    if (apex.length > 0) await trx.insertInto('dnsRecords').values(apex.map((set) => recordRow(zone, set))).execute();
    return true;
  });
}

/**
 * Creates or replaces one record set, unless a set of one of `conflictingTypes` is at its name.
 * An identical set is left alone and the serial stays: resolvers and secondaries see no change.
 */
export async function upsertDnsRecordSet(db: Db, zone: string, set: DnsRecordSetRow, conflictingTypes: readonly string[]): Promise<DnsRecordSetWrite> {
  return db.transaction().execute(async (trx) => {
    const locked = await trx.selectFrom('dnsZones').select('name').where('name', '=', zone).forUpdate().executeTakeFirst();
    if (!locked) return 'no-zone';
    if (conflictingTypes.length > 0) {
      const conflict = await trx
        .selectFrom('dnsRecords')
        .select('type')
        .where('zone', '=', zone)
        .where('name', '=', set.name)
        .where('type', 'in', conflictingTypes)
        .executeTakeFirst();
      if (conflict) return 'conflict';
    }
    const written = await trx
      .insertInto('dnsRecords')
      .values(recordRow(zone, set))
      .onConflict((oc) =>
        oc
          .columns(['zone', 'name', 'type'])
          .doUpdateSet((eb) => ({ ttl: eb.ref('excluded.ttl'), values: eb.ref('excluded.values') }))
          .where(sql<SqlBool>`(dns_records.ttl, dns_records."values") is distinct from (excluded.ttl, excluded."values")`),
      )
      .returning('name')
      .executeTakeFirst();
    if (!written) return 'unchanged';
    await bumpSerial(trx, zone);
    return 'changed';
  });
}

export async function deleteDnsRecordSet(db: Db, zone: string, name: string, type: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const deleted = await trx
      .deleteFrom('dnsRecords')
      .where('zone', '=', zone)
      .where('name', '=', name)
      .where('type', '=', type)
      .executeTakeFirst();
    if (deleted.numDeletedRows === 0n) return false;
    await bumpSerial(trx, zone);
    return true;
  });
}

/** The zone and (by the foreign key's cascade) its records. */
export async function deleteDnsZone(db: Db, zone: string): Promise<boolean> {
  const deleted = await db.deleteFrom('dnsZones').where('name', '=', zone).executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}

export async function listDnsRecordSets(db: Db, zone: string, filter: DnsRecordSetFilter = {}): Promise<DnsRecordSetRow[]> {
  let query = db.selectFrom('dnsRecords').select(RECORD_COLUMNS).where('zone', '=', zone);
  const { names, branch } = filter;
  if (branch !== '@' && (names !== undefined || branch !== undefined)) {
    query = query.where((eb) => eb.or([...(names && names.length > 0 ? [eb('name', 'in', names)] : []), ...(branch === undefined ? [] : [inBranch(eb, branch)])]));
  }
  return query.orderBy('name').orderBy('type').execute();
}

/**
 * Those of `zones` that exist, each with all its sets (ordered by name and type), in one query:
 * the reconciler reads a page of tenants' zones at once.
 */
export async function readDnsZones(db: Db, zones: readonly string[]): Promise<{ zone: string; records: DnsRecordSetRow[] }[]> {
  if (zones.length === 0) return [];
  const rows = await db
    .selectFrom('dnsZones as z')
    .leftJoin('dnsRecords as r', 'r.zone', 'z.name')
    .select(['z.name as zone', 'r.name', 'r.type', 'r.ttl', 'r.values'])
    .where('z.name', 'in', [...zones])
    .orderBy('z.name')
    .orderBy('r.name')
    .orderBy('r.type')
    .execute();
  const found = new Map<string, DnsRecordSetRow[]>();
  for (const row of rows) {
    const records = found.get(row.zone) ?? [];
    found.set(row.zone, records);
    // A zone without records still has its row (the left join's nulls).
    if (row.name !== null && row.type !== null && row.ttl !== null && row.values !== null) records.push({ name: row.name, type: row.type, ttl: row.ttl, values: row.values });
  }
  return [...found].map(([zone, records]) => ({ zone, records }));
}

/** The store the embedded DNS driver and server are built on, over this database. */
export function dnsZoneStore(db: Db) {
  return {
    getZone: (zone: string) => getDnsZone(db, zone),
    findZones: (zones: readonly string[]) => findDnsZones(db, zones),
    createZone: (zone: string, apex: readonly DnsRecordSetRow[]) => createDnsZone(db, zone, apex),
    upsertRecordSet: (zone: string, set: DnsRecordSetRow, conflictingTypes: readonly string[]) => upsertDnsRecordSet(db, zone, set, conflictingTypes),
    deleteRecordSet: (zone: string, name: string, type: string) => deleteDnsRecordSet(db, zone, name, type),
    deleteZone: (zone: string) => deleteDnsZone(db, zone),
    listRecordSets: (zone: string, filter?: DnsRecordSetFilter) => listDnsRecordSets(db, zone, filter),
    readZones: (zones: readonly string[]) => readDnsZones(db, zones),
  };
}

function inBranch(eb: ExpressionBuilder<Schema, 'dnsRecords'>, branch: string): Expression<SqlBool> {
  // right() rather than LIKE: names contain '_', which LIKE would read as a pattern.
  const suffix = `.${branch}`;
  return eb.or([eb('name', '=', branch), eb(eb.fn<string>('right', [eb.ref('name'), eb.val(suffix.length)]), '=', suffix)]);
}

async function bumpSerial(db: Db, zone: string): Promise<void> {
  await db.updateTable('dnsZones').set({ serial: nextSerial, updatedAt: new Date() }).where('name', '=', zone).execute();
}

function recordRow(zone: string, set: DnsRecordSetRow) {
  return { zone, name: set.name, type: set.type, ttl: set.ttl, values: JSON.stringify(set.values) };
}
