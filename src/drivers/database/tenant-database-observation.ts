import { DriverError, type TenantDatabaseObservation, type TenantDatabaseSpec } from '../contract.js';
import { checkTenantDatabaseSpec } from './identifiers.js';
import { pgDriverError } from './pg-errors.js';
import type { SqlClient } from './sql-client.js';
import { serviceSchemas, versionTable } from './tenant-migrations.js';

/**
 * observe of a page of tenants at once (TenantDatabaseDriver.observeMany): what the reconciler's
 * sweep reads of every tenant's database, in a few statements for the page (one for the catalog,
 * one per hundred migration records) instead of four per tenant.
 *
 * What is read every sweep, and why all of it. First the catalog, one statement: the role and,
 * for DATABASE_PER_TENANT, the database (shared catalogs), the tenant's schemas (pg_namespace) and
 * whether its migration record, `{slug}_governance.schema_version`, exists. Then the migration
 * version, max(version) of each record the catalog found, in UNION ALL statements. The version is
 * table data: no catalog change follows rows deleted from it, or schemas restored from an older
 * backup (whose later tables the re-run migrations must add), so no cheap check could say when to
 * read it; and read this way it costs a table open per tenant, a few tens of milliseconds per
 * page of 250 (query_to_xml, which would fold both into one statement, was three times slower).
 *
 * DATABASE_PER_TENANT (Enterprise): the schemas and the migration record live inside the tenant's
 * own database, which no shared catalog describes, so each such tenant whose database exists
 * costs a session there and the same two statements, every sweep, `databaseSessions` at a time.
 * Looking inside only when the shared catalog shows something off would never see a schema
 * dropped in there, and Enterprise tenants are few (each has a cluster of its own).
 */

/** One tenant as the catalog statement reads it: names only, checked and quoted beforehand. */
interface CatalogQuestion {
  i: number;
  role: string;
  /** DATABASE_PER_TENANT: its database, looked up in pg_database. */
  database: string | null;
  /** The schemas to look for in the session's database ([]: none here). */
  schemas: readonly string[];
  /** Quoted `"x_governance".schema_version`, or null when the record is not looked for in this session. */
  version_table: string | null;
}

interface CatalogAnswer {
  i: number;
  rolePresent: boolean;
  databasePresent: boolean;
  schemasPresent: string[];
  versionTablePresent: boolean;
}

// jsonb_to_recordset: a page of names in one parameter, whatever each tenant's number of schemas.
// to_regrole and to_regclass are catalog-cache lookups by name, with no scan of pg_authid.
const CATALOG_SQL = `
  select s.i,
    to_regrole(quote_ident(s.role)) is not null as "rolePresent",
    (s.database is not null and exists (select 1 from pg_database d where d.datname = s.database)) as "databasePresent",
    array(select n.nspname::text from pg_namespace n where n.nspname = any(s.schemas) order by n.nspname) as "schemasPresent",
    (s.version_table is not null and to_regclass(s.version_table) is not null) as "versionTablePresent"
  from jsonb_to_recordset($1::jsonb) as s(i int, role text, database text, schemas text[], version_table text)
  order by s.i`;

/** The catalog statement for many tenants; answers by `i`. */
async function readCatalog(client: SqlClient, questions: readonly CatalogQuestion[]): Promise<Map<number, CatalogAnswer>> {
  if (questions.length === 0) return new Map();
  const { rows } = await client.query<CatalogAnswer>(CATALOG_SQL, [JSON.stringify(questions)]);
  return new Map(rows.map((row) => [row.i, row]));
}

/**
 * Tables one statement reads at most. A statement holds a lock on each table and its index until
 * it ends, in the server's shared lock table (max_locks_per_transaction x max_connections slots,
 * 6,400 by default): a page of 250 tenants is read in three statements, at most 200 locks each.
 */
const VERSION_TABLES_PER_STATEMENT = 100;

/**
 * max(version) of each table, by `i`. The names are quoted identifiers of checked names
 * (identifiers.ts) and `i` is ours: nothing else reaches the text.
 */
async function readVersions(client: SqlClient, tables: readonly { i: number; table: string }[]): Promise<Map<number, number | null>> {
  const versions = new Map<number, number | null>();
  for (let from = 0; from < tables.length; from += VERSION_TABLES_PER_STATEMENT) {
    const chunk = tables.slice(from, from + VERSION_TABLES_PER_STATEMENT);
    const text = chunk.map(({ i, table }) => `select ${Number(i)}::int as i, max(version)::int as v from ${table}`).join(' union all ');
    const { rows } = await client.query<{ i: number; v: number | null }>(text);
    for (const row of rows) versions.set(row.i, row.v);
  }
  return versions;
}

/**
 * The catalog, then the versions of the records it found. A record dropped between the two
 * statements fails the second (42P01, or 3F000 for its schema): both are read again, once.
 */
async function readContents(client: SqlClient, questions: readonly CatalogQuestion[]): Promise<Map<number, CatalogAnswer & { migrationVersion: number | null }>> {
  for (let attempt = 1; ; attempt++) {
    const catalog = await readCatalog(client, questions);
    const tables = questions.flatMap(({ i, version_table }) => (version_table !== null && catalog.get(i)?.versionTablePresent ? [{ i, table: version_table }] : []));
    try {
      const versions = await readVersions(client, tables);
      return new Map([...catalog].map(([i, row]) => [i, { ...row, migrationVersion: versions.get(i) ?? null }]));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= 2 || (code !== '42P01' && code !== '3F000')) throw error;
    }
  }
}

/** Opens a session in another database of the server and runs `work` there. */
export type InDatabase = <T>(database: string, work: (client: SqlClient) => Promise<T>) => Promise<T>;

/**
 * Every spec's observation, in the order given: a few statements in the admin's session for the
 * whole page, plus a session and two statements per DATABASE_PER_TENANT tenant whose database exists.
 */
export async function observeTenantDatabases(
  admin: SqlClient,
  specs: readonly TenantDatabaseSpec[],
  inDatabase: InDatabase,
  databaseSessions = 4,
): Promise<(TenantDatabaseObservation | DriverError)[]> {
  const answers = new Array<TenantDatabaseObservation | DriverError>(specs.length);
  const questions: CatalogQuestion[] = [];
  for (const [i, spec] of specs.entries()) {
    const table = checkedVersionTable(spec);
    if (table instanceof DriverError) answers[i] = table;
    else if (spec.isolation === 'SCHEMA_PER_TENANT') questions.push({ i, role: spec.role, database: null, schemas: spec.schemas, version_table: table });
    else questions.push({ i, role: spec.role, database: spec.database ?? null, schemas: [], version_table: null });
  }
  const catalog = await readContents(admin, questions);
  const inside: number[] = [];
  for (const { i } of questions) {
    const row = catalog.get(i);
    const spec = specs[i] as TenantDatabaseSpec;
    if (!row) answers[i] = new DriverError(`observing tenant ${spec.tenantId}'s database: no answer for it`, true);
    else if (spec.isolation === 'SCHEMA_PER_TENANT') answers[i] = observation(row, false);
    else if (!row.databasePresent) answers[i] = { rolePresent: row.rolePresent, databasePresent: false, schemasPresent: [], migrationVersion: null };
    else inside.push(i);
  }
  await eachBounded(inside, databaseSessions, async (i) => {
    const spec = specs[i] as TenantDatabaseSpec;
    const rolePresent = catalog.get(i)?.rolePresent ?? false;
    try {
      const contents = await inDatabase(spec.database as string, (client) =>
        readContents(client, [{ i, role: spec.role, database: null, schemas: spec.schemas, version_table: checkedVersionTable(spec) as string }]),
      );
      const row = contents.get(i);
      answers[i] = row ? { ...observation(row, true), rolePresent } : new DriverError(`observing tenant ${spec.tenantId}'s database: no answer for it`, true);
    } catch (error) {
      answers[i] = pgDriverError(`observing tenant ${spec.tenantId}'s database ${spec.database ?? ''}`, error);
    }
  });
  return answers;
}

/** The quoted version table of a spec whose names pass the driver's checks, or why they do not. */
function checkedVersionTable(spec: TenantDatabaseSpec): string | DriverError {
  try {
    checkTenantDatabaseSpec(spec);
    return versionTable(serviceSchemas(spec.schemas));
  } catch (error) {
    return error instanceof DriverError ? error : new DriverError(String(error), false);
  }
}

function observation(row: CatalogAnswer & { migrationVersion: number | null }, databasePresent: boolean): TenantDatabaseObservation {
  return { rolePresent: row.rolePresent, databasePresent, schemasPresent: row.schemasPresent, migrationVersion: row.migrationVersion };
}

/** fn over items, at most `limit` at once. */
async function eachBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}
