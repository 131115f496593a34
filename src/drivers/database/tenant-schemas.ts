import { quoteIdent, quoteLiteral } from './identifiers.js';
import { checkOwnership, ownershipMark, raiseUnlessTenants } from './ownership-mark.js';
import { doBlock } from './plpgsql.js';
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
 * The statements that create the missing schemas and (re)assert the grants on all of them, for a
 * setup script, inside its transaction. Grants are idempotent, so asserting them again repairs
 * drift (a revoked right) at no cost; GRANT and ALTER DEFAULT PRIVILEGES take every schema at
 * once. A schema marked as another tenant's raises NOT_OURS_SQLSTATE (ownership-mark.ts) before
 * anything is written; one owned by someone else is given back to the admin: the session's user.
 */
export function schemaStatements(options: { tenantId: string; schemas: readonly string[]; role: string }): string[] {
  const { tenantId, schemas } = options;
  const role = quoteIdent(options.role);
  const all = schemas.map(quoteIdent).join(', ');
  const check = doBlock(
    `FOR r IN SELECT nspname AS name, pg_get_userbyid(nspowner) AS owner, obj_description(oid, 'pg_namespace') AS comment
           FROM pg_namespace WHERE nspname = ANY (ARRAY[${schemas.map(quoteLiteral).join(', ')}]::text[]) LOOP
  ${raiseUnlessTenants('schema', 'r.name', 'r.comment', tenantId)}
  IF r.owner <> current_user THEN EXECUTE format('ALTER SCHEMA %I OWNER TO CURRENT_USER', r.name); END IF;
END LOOP;`,
    'r record;',
  );
  return [
    check,
    ...schemas.map((name) => `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(name)} AUTHORIZATION CURRENT_USER;`),
    ...schemas.map((name) => `COMMENT ON SCHEMA ${quoteIdent(name)} IS ${quoteLiteral(ownershipMark(tenantId))};`),
    // New schemas grant nothing to PUBLIC; this undoes a grant someone added by hand.
    `REVOKE ALL ON SCHEMA ${all} FROM PUBLIC;`,
    `GRANT USAGE, CREATE ON SCHEMA ${all} TO ${role};`,
    // Tables the migrations create (as the admin) become usable by the role as they appear.
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${all} GRANT ${TABLE_RIGHTS} ON TABLES TO ${role};`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${all} GRANT ${SEQUENCE_RIGHTS} ON SEQUENCES TO ${role};`,
    `GRANT ${TABLE_RIGHTS} ON ALL TABLES IN SCHEMA ${all} TO ${role};`,
    `GRANT ${SEQUENCE_RIGHTS} ON ALL SEQUENCES IN SCHEMA ${all} TO ${role};`,
  ];
}

/**
 * The migration record is the control plane's: the role may read it but not rewrite history
 * (deleting a row would make the next ensure re-run a migration). After the migrations, since the
 * grants above hand it the same rights as any table in its schema.
 */
export function protectVersionTableStatement(versionTable: string, role: string): string {
  return `REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ${versionTable} FROM ${quoteIdent(role)};`;
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
