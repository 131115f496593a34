import { DriverError, type TenantDatabaseObservation, type TenantDatabaseSpec } from '../contract.js';
import { dropDatabase } from './dedicated-database.js';
import { checkTenantDatabaseSpec, quoteIdent } from './identifiers.js';
import { checkOwnership } from './ownership-mark.js';
import type { SqlClient } from './sql-client.js';
import { dropRole, readRole, terminateSessions } from './tenant-role.js';
import { type ServiceSchemas, serviceSchemas, tenantMigrationVersion } from './tenant-migrations.js';
import { dropSchemas, readSchemas } from './tenant-schemas.js';

/**
 * The verbs of a TenantDatabaseDriver as SQL over one admin session, apart from how the driver
 * (postgres-tenant-database.ts) gets its sessions. What ensure writes is in tenant-setup-script.ts.
 */

/** Checks the spec before any SQL runs and finds the schemas the migrations write to. */
export function planTenantDatabase(spec: TenantDatabaseSpec): ServiceSchemas {
  checkTenantDatabaseSpec(spec);
  return serviceSchemas(spec.schemas);
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

/** observe of a SCHEMA_PER_TENANT tenant, whose schemas live in the session's database. */
export async function observeSharedSchemas(client: SqlClient, spec: TenantDatabaseSpec, s: ServiceSchemas): Promise<TenantDatabaseObservation> {
  const rolePresent = (await readRole(client, spec.role)) !== undefined;
  return { rolePresent, databasePresent: false, ...(await readContents(client, spec, s)) };
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
 * verify's proof of USAGE and CREATE (and of the seed) that leaves nothing behind, as one script
 * on a session logged in as the tenant's role: a transaction that says who the session is, puts
 * the tenant's schemas on the search_path, reads a seeded table through it, creates a table in
 * every one of its schemas, and is rolled back. A failure leaves the transaction open: the caller
 * closes the session.
 */
export async function probeTenantSchemas(client: SqlClient, spec: TenantDatabaseSpec): Promise<void> {
  const script = [
    'BEGIN;',
    'SELECT current_user AS user;',
    `SET LOCAL search_path TO ${spec.schemas.map(quoteIdent).join(', ')};`,
    'SELECT count(*) FROM system_roles;',
    ...spec.schemas.map((schema) => `CREATE TABLE ${quoteIdent(schema)}.matih_verify_probe (id integer);`),
    'ROLLBACK;',
  ].join('\n');
  const results = scriptResults(await client.query(script));
  const user = (results[1]?.rows[0] as { user?: unknown } | undefined)?.user;
  if (user !== spec.role) throw new DriverError(`verify: the session is ${String(user)}, not ${spec.role}`, false);
}

/** The result of each statement of a script: node-postgres answers an array for several, one result for one. */
export function scriptResults(answer: unknown): { rows: unknown[] }[] {
  return (Array.isArray(answer) ? answer : [answer]) as { rows: unknown[] }[];
}
