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
 * Creates the database when it is missing (owned by the session's user) and (re)asserts who may
 * connect. CREATE DATABASE cannot run inside a transaction, hence on its own; the rest is one
 * transaction in one round trip. A crash between the two leaves an unmarked database, which the
 * next ensure adopts (see ownership-mark.ts). The grants write this database's own pg_database
 * row, so tenants set up at once do not collide.
 */
export async function ensureDatabase(client: SqlClient, options: { tenantId: string; database: string; role: string }): Promise<void> {
  const { tenantId } = options;
  const database = quoteIdent(options.database);
  const existing = await readDatabase(client, options.database);
  if (existing) checkOwnership('database', options.database, existing.comment, tenantId);
  if (!existing) await client.query(`CREATE DATABASE ${database}`);
  const comment = !existing || existing.comment === null ? [`COMMENT ON DATABASE ${database} IS ${quoteLiteral(ownershipMark(tenantId))};`] : [];
  await client.query(
    [
      'BEGIN;',
      ...comment,
      `REVOKE ALL ON DATABASE ${database} FROM PUBLIC;`,
      // TEMPORARY as well as CONNECT: services use temporary tables, which PUBLIC no longer grants here.
      `GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${quoteIdent(options.role)};`,
      'COMMIT;',
    ].join('\n'),
  );
}

/** Drops the database; WITH (FORCE) (PostgreSQL 13+) ends its sessions first. Absent is success. */
export async function dropDatabase(client: SqlClient, tenantId: string, database: string): Promise<void> {
  const existing = await readDatabase(client, database);
  if (!existing) return;
  checkOwnership('database', database, existing.comment, tenantId);
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
}
