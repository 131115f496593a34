import { DriverError } from '../contract.js';
import { quoteIdent, quoteLiteral } from './identifiers.js';
import { checkOwnership, ownershipMark, raiseUnlessTenants } from './ownership-mark.js';
import { doBlock } from './plpgsql.js';
import type { SqlClient } from './sql-client.js';
import { inTransaction } from './transaction.js';

/**
 * The tenant's login role: cluster-wide, so it is created and dropped through the admin
 * connection whatever database the tenant's schemas live in.
 *
 * It may log in and nothing more: NOINHERIT (it inherits from no role unless a grant says so
 * explicitly: only the connect group's, connect-group.ts, does), no CREATEDB, CREATEROLE,
 * REPLICATION or BYPASSRLS, and a connection limit so that one tenant cannot exhaust the shared
 * server's max_connections.
 */

interface RoleRow {
  rolsuper: boolean;
  rolreplication: boolean;
  rolbypassrls: boolean;
  comment: string | null;
}

export async function readRole(client: SqlClient, role: string): Promise<RoleRow | undefined> {
  const result = await client.query<RoleRow>(
    `select rolsuper, rolreplication, rolbypassrls, shobj_description(oid, 'pg_authid') as comment
       from pg_roles where rolname = $1`,
    [role],
  );
  return result.rows[0];
}

/**
 * The statements that create the role, or bring an existing one back to the attributes above,
 * and either way set its password and mark it as the tenant's; for a setup script, inside its
 * transaction. CREATE/ALTER ROLE take no bind parameters, so the password goes in as a quoted
 * literal, and as a SCRAM verifier rather than the cleartext (see scram-verifier.ts): the caller
 * keeps server messages that quote the verifier out of its errors (tenant-setup-script.ts).
 * A role marked as another tenant's raises NOT_OURS_SQLSTATE (ownership-mark.ts).
 */
export function roleStatements(options: { tenantId: string; role: string; verifier: string; connectionLimit: number }): string[] {
  const { tenantId, role, verifier, connectionLimit } = options;
  if (!Number.isInteger(connectionLimit) || connectionLimit < 1) {
    throw new DriverError(`connection limit must be a positive integer, not ${connectionLimit}`, false);
  }
  const name = quoteIdent(role);
  const common = `LOGIN NOINHERIT NOCREATEDB NOCREATEROLE CONNECTION LIMIT ${connectionLimit}`;
  const password = `PASSWORD ${quoteLiteral(verifier)}`;
  const upsert = doBlock(
    `SELECT rolsuper, rolreplication, rolbypassrls, shobj_description(oid, 'pg_authid') AS comment INTO r FROM pg_roles WHERE rolname = ${quoteLiteral(role)};
IF NOT FOUND THEN
  CREATE ROLE ${name} WITH ${common} NOSUPERUSER NOREPLICATION NOBYPASSRLS ${password};
ELSE
  ${raiseUnlessTenants('role', quoteLiteral(role), 'r.comment', tenantId)}
  -- Only a superuser may even mention SUPERUSER, REPLICATION or BYPASSRLS in ALTER ROLE, so they
  -- are named only when they drifted (and then an admin that is not superuser fails loudly).
  IF r.rolsuper THEN ALTER ROLE ${name} NOSUPERUSER; END IF;
  IF r.rolreplication THEN ALTER ROLE ${name} NOREPLICATION; END IF;
  IF r.rolbypassrls THEN ALTER ROLE ${name} NOBYPASSRLS; END IF;
  ALTER ROLE ${name} WITH ${common} ${password};
END IF;`,
    'r record;',
  );
  return [upsert, `COMMENT ON ROLE ${name} IS ${quoteLiteral(ownershipMark(tenantId))};`];
}

/**
 * Drops the role and what it owns or was granted in the admin connection's database (DROP OWNED
 * BY: tables a service created in a tenant schema, a CONNECT grant of its own, default
 * privileges; its membership of the connect group goes with the role). Its sessions are ended
 * first, since they could hold locks the drop waits on. Absent is success.
 */
export async function dropRole(client: SqlClient, tenantId: string, role: string): Promise<void> {
  const existing = await readRole(client, role);
  if (!existing) return;
  checkOwnership('role', role, existing.comment, tenantId);
  await terminateSessions(client, 'usename', role);
  const name = quoteIdent(role);
  await inTransaction(client, async () => {
    // A role granted CONNECT itself (before the connect group, or on PostgreSQL 15 and older):
    // DROP OWNED BY revokes it, rewriting the shared database's pg_database row.
    await lockDatabaseAcls(client);
    // DROP OWNED BY takes the privileges of the role. A superuser has them; an admin role with
    // CREATEROLE does not on PostgreSQL 16+ (it holds ADMIN OPTION on the roles it created, not
    // membership), so it makes itself a member first; the membership goes with the role below.
    await client.query(`GRANT ${name} TO CURRENT_USER`);
    await client.query(`DROP OWNED BY ${name}`);
    await client.query(`DROP ROLE IF EXISTS ${name}`);
  });
}

/** Ends the sessions of a user or on a database; best effort, since an admin that is not superuser may not. */
export async function terminateSessions(client: SqlClient, column: 'usename' | 'datname', value: string): Promise<void> {
  await client
    .query(`select pg_terminate_backend(pid) from pg_stat_activity where ${column} = $1 and pid <> pg_backend_pid()`, [value])
    .catch(() => undefined);
}

/**
 * GRANT and REVOKE on a database rewrite its one pg_database row; two sessions doing it at once
 * fail with "tuple concurrently updated" (XX000; measured on PostgreSQL 15 and 18, while granting
 * role memberships or creating schemas in parallel never collides). Taken inside the caller's
 * transaction, this lock makes them wait for each other instead. Only the rare writers of the
 * shared database's row take it: the connect group's one grant, a tenant role's own grant where
 * the server has no per-grant INHERIT (connect-group.ts), and DROP OWNED BY.
 */
export async function lockDatabaseAcls(client: SqlClient): Promise<void> {
  await client.query(`SELECT ${DATABASE_ACLS_LOCK}`);
}

// Apart from the tenant migrations' lock class (tenant-migrations.ts) and the control plane's one-key lock.
const DATABASE_ACL_LOCK_CLASS = 724_003;
/** The lock as an expression, for a PL/pgSQL PERFORM in a script. */
export const DATABASE_ACLS_LOCK = `pg_advisory_xact_lock(${DATABASE_ACL_LOCK_CLASS}, 0)`;
