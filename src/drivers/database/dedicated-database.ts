import { quoteIdent, quoteLiteral } from './identifiers.js';
import { checkOwnership, ownershipMark } from './ownership-mark.js';
import type { SqlClient } from './sql-client.js';

/**
 * An Enterprise tenant's database of its own (spec/004 "Database Isolation Strategy"), on the
 * admin's server. Owned by the admin; only the tenant's role may connect (CONNECT is revoked from
 * PUBLIC, which every new database grants it by default), so no other tenant's role can even
 * open a session there.
 */

export async function readDatabase(client: SqlClient, database: string): Promise<{ comment: string | null } | undefined> {
  const result = await client.query<{ comment: string | null }>(
    `select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1`,
    [database],
  );
  return result.rows[0];
}

/**
 * Creates the database when it is missing and (re)asserts who may connect. CREATE DATABASE
 * cannot run inside a transaction, hence statement by statement: a crash between them leaves an
 * unmarked database, which the next ensure adopts (see ownership-mark.ts).
 */
export async function ensureDatabase(
  client: SqlClient,
  options: { tenantId: string; database: string; role: string; admin: string },
): Promise<void> {
  const { tenantId, admin } = options;
  const database = quoteIdent(options.database);
  const existing = await readDatabase(client, options.database);
  if (existing) checkOwnership('database', options.database, existing.comment, tenantId);
  if (!existing) await client.query(`CREATE DATABASE ${database} OWNER ${quoteIdent(admin)}`);
  if (!existing || existing.comment === null) {
    await client.query(`COMMENT ON DATABASE ${database} IS ${quoteLiteral(ownershipMark(tenantId))}`);
  }
  await client.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
  // TEMPORARY as well as CONNECT: services use temporary tables, which PUBLIC no longer grants here.
  await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${quoteIdent(options.role)}`);
}

/** Drops the database; WITH (FORCE) (PostgreSQL 13+) ends its sessions first. Absent is success. */
export async function dropDatabase(client: SqlClient, tenantId: string, database: string): Promise<void> {
  const existing = await readDatabase(client, database);
  if (!existing) return;
  checkOwnership('database', database, existing.comment, tenantId);
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
}
