import { DriverError, type TenantDatabaseObservation, type TenantDatabaseSpec } from '../contract.js';
import { dropDatabase } from './dedicated-database.js';
import { checkTenantDatabaseSpec, quoteIdent } from './identifiers.js';
import { checkOwnership } from './ownership-mark.js';
import { seedReferenceData } from './seed.js';
import type { SqlClient } from './sql-client.js';
import { dropRole, ensureRole, lockDatabaseAcls, readRole, terminateSessions } from './tenant-role.js';
import { inTransaction } from './transaction.js';
import { type ServiceSchemas, migrateTenant, serviceSchemas, tenantMigrationVersion, versionTable } from './tenant-migrations.js';
import { dropSchemas, ensureSchemas, protectVersionTable, readSchemas } from './tenant-schemas.js';

/**
 * The verbs of a TenantDatabaseDriver as SQL over one admin session, shared by the driver on a
 * PostgreSQL server (postgres-tenant-database.ts) and the one on the embedded database
 * (embedded-tenant-database.ts): they differ in how they get sessions and in what they cannot
 * do, never in the SQL.
 */

/** Checks the spec before any SQL runs and finds the schemas the migrations write to. */
export function planTenantDatabase(spec: TenantDatabaseSpec): ServiceSchemas {
  checkTenantDatabaseSpec(spec);
  return serviceSchemas(spec.schemas);
}

/** The session's user (who will own the tenant's schemas) and its database (the shared one). */
export async function sessionIdentity(client: SqlClient): Promise<{ admin: string; database: string }> {
  const who = await client.query<{ admin: string; database: string }>('select current_user as admin, current_database() as database');
  const row = who.rows[0];
  if (row === undefined) throw new DriverError('the database did not say who the session is', true);
  return row;
}

/** The tenant's schemas present in the session's database, and its migration version there. */
export async function readContents(
  client: SqlClient,
  spec: TenantDatabaseSpec,
  s: ServiceSchemas,
): Promise<Pick<TenantDatabaseObservation, 'schemasPresent' | 'migrationVersion'>> {
  const schemasPresent = (await readSchemas(client, spec.schemas)).map((row) => row.name);
  return { schemasPresent, migrationVersion: await tenantMigrationVersion(client, s) };
}

/** Schemas and grants, then migrations, then seed, in the session's database: each step needs the one before. */
export async function ensureContents(client: SqlClient, spec: TenantDatabaseSpec, s: ServiceSchemas, admin: string): Promise<void> {
  await ensureSchemas(client, { tenantId: spec.tenantId, schemas: spec.schemas, role: spec.role, admin });
  await migrateTenant(client, s);
  await protectVersionTable(client, versionTable(s), spec.role);
  await seedReferenceData(client, s);
}

/** observe of a SCHEMA_PER_TENANT tenant, whose schemas live in the session's database. */
export async function observeSharedSchemas(client: SqlClient, spec: TenantDatabaseSpec, s: ServiceSchemas): Promise<TenantDatabaseObservation> {
  const rolePresent = (await readRole(client, spec.role)) !== undefined;
  return { rolePresent, databasePresent: false, ...(await readContents(client, spec, s)) };
}

/**
 * ensure of a SCHEMA_PER_TENANT tenant in the session's database; returns that database's name.
 * `grantConnect`: grant the role CONNECT on it (PUBLIC holds CONNECT on a new database, but an
 * operator may have revoked it there). Only where the role can connect at all: see the embedded driver.
 */
export async function ensureSharedSchemas(
  client: SqlClient,
  spec: TenantDatabaseSpec,
  s: ServiceSchemas,
  options: { password: string; connectionLimit: number; grantConnect: boolean },
): Promise<string> {
  const { admin, database } = await sessionIdentity(client);
  await ensureRole(client, spec.tenantId, spec.role, options.password, options.connectionLimit);
  if (options.grantConnect) {
    await inTransaction(client, async () => {
      await lockDatabaseAcls(client);
      await client.query(`GRANT CONNECT ON DATABASE ${quoteIdent(database)} TO ${quoteIdent(spec.role)}`);
    });
  }
  await ensureContents(client, spec, s, admin);
  return database;
}

/**
 * drop, for either isolation: the role's ownership is checked and its open sessions ended first
 * (they could hold locks the drop of its schemas would wait on), then the schemas (in the
 * session's database) or the tenant's database go, then the role.
 */
export async function dropTenantDatabase(client: SqlClient, spec: TenantDatabaseSpec): Promise<void> {
  const role = await readRole(client, spec.role);
  if (role) {
    checkOwnership('role', spec.role, role.comment, spec.tenantId);
    await terminateSessions(client, 'usename', spec.role);
  }
  if (spec.isolation === 'SCHEMA_PER_TENANT') await dropSchemas(client, spec.tenantId, spec.schemas);
  else await dropDatabase(client, spec.tenantId, spec.database as string);
  await dropRole(client, spec.tenantId, spec.role);
}

/**
 * The body of verify, in a transaction the caller opened as the tenant's role and rolls back
 * afterwards: checks who the session is, puts the tenant's schemas on the search_path, reads a
 * seeded table through it and creates a table in every one of its schemas. Proof of USAGE and
 * CREATE (and of the seed) that leaves nothing behind.
 */
export async function probeTenantSchemas(client: SqlClient, spec: TenantDatabaseSpec): Promise<void> {
  const me = await client.query<{ user: string }>('select current_user as user');
  if (me.rows[0]?.user !== spec.role) throw new DriverError(`verify: the session is ${me.rows[0]?.user}, not ${spec.role}`, false);
  await client.query(`SET LOCAL search_path TO ${spec.schemas.map(quoteIdent).join(', ')}`);
  await client.query('select count(*) from system_roles');
  for (const schema of spec.schemas) {
    await client.query(`create table ${quoteIdent(schema)}.matih_verify_probe (id integer)`);
  }
}
