import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Db } from '../open-database.js';
import type { Schema } from '../schema.js';
import { isUniqueViolation } from '../unique-violation.js';
import type { SimInventoryRecord, SimObjectFilter, SimObjectKey, SimObjectRecord, SimObjectStore, SimObjectWrite } from '../../shared/simulated-cluster-store.js';

/**
 * Persistence of the simulated cluster (a test double of a Kubernetes API server): this table is
 * its etcd. Writes that race are compare-and-set on resource_version; the driver reads again and
 * retries when one loses, so concurrent applies (several replicas) never lose an update.
 */
const COLUMNS = [
  'apiGroup', 'kind', 'namespace', 'name', 'apiVersion', 'uid', 'object', 'labels', 'generation',
  'resourceVersion', 'applyCount', 'readyAt', 'loadBalancerIp', 'createdAt', 'updatedAt',
] as const;

const nextVersion = () => sql<string>`nextval('sim_object_versions')`;

type Row = Omit<SimObjectRecord, 'resourceVersion'> & { resourceVersion: string | number };
// A bigint column (a string from node-postgres); resourceVersion is opaque text anyway.
const toRow = (row: Row): SimObjectRecord => ({ ...row, resourceVersion: String(row.resourceVersion) });

function byKey(key: SimObjectKey) {
  return (eb: ExpressionBuilder<Schema, 'simObjects'>): Expression<SqlBool> =>
    eb.and([eb('apiGroup', '=', key.apiGroup), eb('kind', '=', key.kind), eb('namespace', '=', key.namespace), eb('name', '=', key.name)]);
}

export async function getSimObject(db: Db, key: SimObjectKey): Promise<SimObjectRecord | undefined> {
  const row = await db.selectFrom('simObjects').select(COLUMNS).where(byKey(key)).executeTakeFirst();
  return row && toRow(row);
}

/** The ones of `keys` that exist, in one query (awaitReady polls with it). */
export async function getSimObjects(db: Db, keys: readonly SimObjectKey[]): Promise<SimObjectRecord[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('simObjects')
    .select(COLUMNS)
    .where((eb) => eb.or(keys.map((key) => byKey(key)(eb))))
    .execute();
  return rows.map(toRow);
}

/**
 * Creates the object; undefined when it lost a race: the key exists already (another apply
 * created it) or its load-balancer address was just taken. The caller reads again and retries.
 */
export async function insertSimObject(db: Db, key: SimObjectKey, uid: string, write: SimObjectWrite): Promise<SimObjectRecord | undefined> {
  return lostRaceIsUndefined(async () => {
    const row = await db
      .insertInto('simObjects')
      .values({ ...key, uid, ...serialised(write) })
      .onConflict((oc) => oc.columns(['apiGroup', 'kind', 'namespace', 'name']).doNothing())
      .returning(COLUMNS)
      .executeTakeFirst();
    return row && toRow(row);
  });
}

/** Replaces the object if it is still at `resourceVersion`; undefined when it changed meanwhile (or the address was taken). */
export async function replaceSimObject(db: Db, key: SimObjectKey, resourceVersion: string, write: SimObjectWrite): Promise<SimObjectRecord | undefined> {
  return lostRaceIsUndefined(async () => {
    const row = await db
      .updateTable('simObjects')
      .set({
        ...serialised(write),
        resourceVersion: nextVersion(),
        applyCount: (eb) => eb('applyCount', '+', 1),
        updatedAt: new Date(),
      })
      .where(byKey(key))
      .where('resourceVersion', '=', resourceVersion)
      .returning(COLUMNS)
      .executeTakeFirst();
    return row && toRow(row);
  });
}

/** An apply that changed nothing: only apply_count moves. Undefined when the object changed meanwhile. */
export async function countSimObjectApply(db: Db, key: SimObjectKey, resourceVersion: string): Promise<SimObjectRecord | undefined> {
  const row = await db
    .updateTable('simObjects')
    .set((eb) => ({ applyCount: eb('applyCount', '+', 1) }))
    .where(byKey(key))
    .where('resourceVersion', '=', resourceVersion)
    .returning(COLUMNS)
    .executeTakeFirst();
  return row && toRow(row);
}

/** True when it existed. */
export async function deleteSimObject(db: Db, key: SimObjectKey): Promise<boolean> {
  const result = await db.deleteFrom('simObjects').where(byKey(key)).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Deletes a Namespace and everything in it, in one statement, as the API server's namespace
 * controller does (there over seconds, here at once).
 */
export async function deleteSimNamespace(db: Db, namespace: string): Promise<{ namespaceExisted: boolean; contents: number }> {
  const rows = await db
    .deleteFrom('simObjects')
    .where((eb) =>
      eb.or([
        eb('namespace', '=', namespace),
        eb.and([eb('apiGroup', '=', ''), eb('kind', '=', 'Namespace'), eb('namespace', '=', ''), eb('name', '=', namespace)]),
      ]),
    )
    .returning(['kind', 'namespace'])
    .execute();
  const namespaceExisted = rows.some((r) => r.kind === 'Namespace' && r.namespace === '');
  return { namespaceExisted, contents: rows.length - (namespaceExisted ? 1 : 0) };
}

export async function listSimObjects(db: Db, filter: SimObjectFilter = {}): Promise<SimObjectRecord[]> {
  let q = db.selectFrom('simObjects').select(COLUMNS);
  if (filter.apiGroup !== undefined) q = q.where('apiGroup', '=', filter.apiGroup);
  if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
  if (filter.namespace !== undefined) q = q.where('namespace', '=', filter.namespace);
  if (filter.labels && Object.keys(filter.labels).length > 0) q = q.where(sql<SqlBool>`labels @> ${JSON.stringify(filter.labels)}::jsonb`);
  const rows = await q.orderBy('namespace').orderBy('apiGroup').orderBy('kind').orderBy('name').execute();
  return rows.map(toRow);
}

/**
 * What the reconciler compares (ClusterDriver.inventory): for each of `labelSets`, the objects
 * carrying all its labels, without their bodies, tagged with the set's index. One round trip for a
 * page of tenants: a lateral join runs one scan of the labels index per set (an OR of the sets
 * would recheck every set against every row). Without JIT, which the planner's poor estimate for
 * a parameterised GIN scan would otherwise switch on at a cost above the query's own.
 */
export async function listSimInventory(
  db: Db,
  labelSets: readonly Readonly<Record<string, string>>[],
): Promise<SimInventoryRecord[]> {
  if (labelSets.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    await sql`set local jit = off`.execute(trx);
    // A page's inventory is thousands of rows: they come named as the record names them, without
    // the camel-case plugin's copy of every row, and updated_at as epoch milliseconds (parsing a
    // timestamp's text in node-postgres costs several times a number's).
    const result = await sql<Omit<SimInventoryRecord, 'updatedAt'> & { updatedMs: number }>`
      select (s.ord - 1)::int as selection, o.api_group as "apiGroup", o.kind, o.namespace, o.name, o.api_version as "apiVersion", o.labels,
        (extract(epoch from o.updated_at) * 1000)::float8 as "updatedMs"
      from jsonb_array_elements(${JSON.stringify(labelSets)}::jsonb) with ordinality as s(labels, ord)
      cross join lateral (select * from sim_objects x where x.labels @> s.labels) o`.execute(trx.withoutPlugins());
    return result.rows.map((r) => ({
      selection: r.selection, apiGroup: r.apiGroup, kind: r.kind, namespace: r.namespace, name: r.name, apiVersion: r.apiVersion, labels: r.labels,
      updatedAt: new Date(r.updatedMs),
    }));
  });
}

/** Sets ready_at (a test hook: "the controller finished now"). True when the object exists. */
export async function setSimObjectReadyAt(db: Db, key: SimObjectKey, at: Date): Promise<boolean> {
  const result = await db.updateTable('simObjects').set({ readyAt: at }).where(byKey(key)).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function listSimLoadBalancerIps(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('simObjects').select('loadBalancerIp').where('loadBalancerIp', 'is not', null).execute();
  return rows.flatMap((r) => (r.loadBalancerIp === null ? [] : [r.loadBalancerIp]));
}

/** The store the simulated cluster is built on, over this database. */
export function simObjectStore(db: Db): SimObjectStore {
  return {
    get: (key: SimObjectKey) => getSimObject(db, key),
    getMany: (keys: readonly SimObjectKey[]) => getSimObjects(db, keys),
    insert: (key: SimObjectKey, uid: string, write: SimObjectWrite) => insertSimObject(db, key, uid, write),
    replace: (key: SimObjectKey, resourceVersion: string, write: SimObjectWrite) => replaceSimObject(db, key, resourceVersion, write),
    countApply: (key: SimObjectKey, resourceVersion: string) => countSimObjectApply(db, key, resourceVersion),
    delete: (key: SimObjectKey) => deleteSimObject(db, key),
    deleteNamespace: (namespace: string) => deleteSimNamespace(db, namespace),
    list: (filter: SimObjectFilter) => listSimObjects(db, filter),
    inventory: (labelSets: readonly Readonly<Record<string, string>>[]) => listSimInventory(db, labelSets),
    setReadyAt: (key: SimObjectKey, at: Date) => setSimObjectReadyAt(db, key, at),
    loadBalancerIpsInUse: () => listSimLoadBalancerIps(db),
  };
}

function serialised(write: SimObjectWrite) {
  return {
    apiVersion: write.apiVersion,
    object: JSON.stringify(write.object),
    labels: JSON.stringify(write.labels),
    generation: write.generation,
    readyAt: write.readyAt,
    loadBalancerIp: write.loadBalancerIp,
  };
}

async function lostRaceIsUndefined<T>(write: () => Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    // Only the address index can be violated here (the key conflict is DO NOTHING / a CAS miss).
    if (isUniqueViolation(error)) return undefined;
    throw error;
  }
}
