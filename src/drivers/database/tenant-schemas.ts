import { quoteIdent, quoteLiteral } from './identifiers.js';
import { checkOwnership, ownershipMark } from './ownership-mark.js';
import type { SqlClient } from './sql-client.js';
import { inTransaction } from './transaction.js';

/**
 * The tenant's schemas and what its role may do in them, in the database the client is connected
 * to (the shared tenant database, or the tenant's own).
 *
 * The schemas belong to the admin, not to the tenant's role: the role can create and use tables
 * in them but cannot drop them, grant USAGE on them to anyone, or change their ownership. That
 * USAGE is the wall between tenants: whatever a role grants on its own tables, no other role can
 * reach into a schema it has no USAGE on.
 */

interface SchemaRow {
  name: string;
  owner: string;
  comment: string | null;
}

/** Table and sequence rights of the role; the same through default privileges and direct grants. */
const TABLE_RIGHTS = 'SELECT, INSERT, UPDATE, DELETE';
const SEQUENCE_RIGHTS = 'USAGE, SELECT, UPDATE';

export async function readSchemas(client: SqlClient, names: readonly string[]): Promise<SchemaRow[]> {
  const result = await client.query<SchemaRow>(
    `select nspname as name, pg_get_userbyid(nspowner) as owner, obj_description(oid, 'pg_namespace') as comment
       from pg_namespace where nspname = any($1::text[]) order by nspname`,
    [names],
  );
  return result.rows;
}

/**
 * Creates the missing schemas and (re)asserts the grants on all of them, in one transaction.
 * Grants are idempotent, so asserting them again repairs drift (a revoked right) at no cost.
 */
export async function ensureSchemas(
  client: SqlClient,
  options: { tenantId: string; schemas: readonly string[]; role: string; admin: string },
): Promise<void> {
  const { tenantId, schemas, admin } = options;
  const role = quoteIdent(options.role);
  await inTransaction(client, async () => {
    const existing = new Map((await readSchemas(client, schemas)).map((row) => [row.name, row]));
    for (const row of existing.values()) checkOwnership('schema', row.name, row.comment, tenantId);
    for (const name of schemas) {
      const schema = quoteIdent(name);
      const row = existing.get(name);
      if (row === undefined) {
        await client.query(`CREATE SCHEMA ${schema} AUTHORIZATION ${quoteIdent(admin)}`);
      } else if (row.owner !== admin) {
        await client.query(`ALTER SCHEMA ${schema} OWNER TO ${quoteIdent(admin)}`);
      }
      if (row === undefined || row.comment === null) {
        await client.query(`COMMENT ON SCHEMA ${schema} IS ${quoteLiteral(ownershipMark(tenantId))}`);
      }
      // New schemas grant nothing to PUBLIC; this undoes a grant someone added by hand.
      await client.query(`REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC`);
      await client.query(`GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${role}`);
      // Tables the migrations create (as the admin) become usable by the role as they appear.
      await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT ${TABLE_RIGHTS} ON TABLES TO ${role}`);
      await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT ${SEQUENCE_RIGHTS} ON SEQUENCES TO ${role}`);
      await client.query(`GRANT ${TABLE_RIGHTS} ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
      await client.query(`GRANT ${SEQUENCE_RIGHTS} ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`);
    }
  });
}

/**
 * The migration record is the control plane's: the role may read it but not rewrite history
 * (deleting a row would make the next ensure re-run a migration). Called after the migrations,
 * since the grants above hand it the same rights as any table in its schema.
 */
export async function protectVersionTable(client: SqlClient, versionTable: string, role: string): Promise<void> {
  await client.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ${versionTable} FROM ${quoteIdent(role)}`);
}

/** Drops exactly the tenant's schemas that exist, with everything in them. Absent is success. */
export async function dropSchemas(client: SqlClient, tenantId: string, schemas: readonly string[]): Promise<void> {
  await inTransaction(client, async () => {
    const existing = await readSchemas(client, schemas);
    for (const row of existing) checkOwnership('schema', row.name, row.comment, tenantId);
    if (existing.length === 0) return;
    await client.query(`DROP SCHEMA IF EXISTS ${existing.map((row) => quoteIdent(row.name)).join(', ')} CASCADE`);
  });
}
