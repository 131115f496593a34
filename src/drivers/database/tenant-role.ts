import { DriverError } from '../contract.js';
import { quoteIdent, quoteLiteral } from './identifiers.js';
import { checkOwnership, ownershipMark } from './ownership-mark.js';
import { pgDriverError } from './pg-errors.js';
import { scramSha256Verifier } from './scram-verifier.js';
import type { SqlClient } from './sql-client.js';
import { inTransaction } from './transaction.js';

/**
 * The tenant's login role: cluster-wide, so it is created and dropped through the admin
 * connection whatever database the tenant's schemas live in.
 *
 * It may log in and nothing more: NOINHERIT (it is granted no role, and must not gain one's
 * rights silently), no CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS, and a connection limit so
 * that one tenant cannot exhaust the shared server's max_connections.
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
 * Creates the role, or brings an existing one back to the attributes above; either way sets the
 * password. CREATE/ALTER ROLE take no bind parameters, so the password goes in as a quoted
 * literal, and as a SCRAM verifier rather than the cleartext (see scram-verifier.ts). Failures of
 * these statements are reported without the server's message, which could quote the literal.
 */
export async function ensureRole(
  client: SqlClient,
  tenantId: string,
  role: string,
  password: string,
  connectionLimit: number,
): Promise<void> {
  if (!Number.isInteger(connectionLimit) || connectionLimit < 1) {
    throw new DriverError(`connection limit must be a positive integer, not ${connectionLimit}`, false);
  }
  const verifier = scramSha256Verifier(password);
  const existing = await readRole(client, role);
  if (existing) checkOwnership('role', role, existing.comment, tenantId);

  const name = quoteIdent(role);
  const common = `LOGIN NOINHERIT NOCREATEDB NOCREATEROLE CONNECTION LIMIT ${connectionLimit}`;
  try {
    await inTransaction(client, async () => {
      if (existing === undefined) {
        await client.query(`CREATE ROLE ${name} WITH ${common} NOSUPERUSER NOREPLICATION NOBYPASSRLS PASSWORD ${quoteLiteral(verifier)}`);
      } else {
        // Only a superuser may even mention SUPERUSER, REPLICATION or BYPASSRLS in ALTER ROLE, so
        // they are named only when they drifted (and then an admin that is not superuser fails loudly).
        const revoke = [existing.rolsuper && 'NOSUPERUSER', existing.rolreplication && 'NOREPLICATION', existing.rolbypassrls && 'NOBYPASSRLS'];
        const extra = revoke.filter((a): a is string => typeof a === 'string').join(' ');
        await client.query(`ALTER ROLE ${name} WITH ${common} ${extra} PASSWORD ${quoteLiteral(verifier)}`);
      }
      if (existing === undefined || existing.comment === null) await client.query(`COMMENT ON ROLE ${name} IS ${quoteLiteral(ownershipMark(tenantId))}`);
    });
  } catch (error) {
    throw pgDriverError(`${existing ? 'updating' : 'creating'} role ${JSON.stringify(role)}`, error, { redact: true });
  }
}

/**
 * Drops the role and what it owns or was granted in the admin connection's database (DROP OWNED
 * BY: tables a service created in a tenant schema, the CONNECT grant, default privileges). Its
 * sessions are ended first, since they could hold locks the drop waits on. Absent is success.
 */
export async function dropRole(client: SqlClient, tenantId: string, role: string): Promise<void> {
  const existing = await readRole(client, role);
  if (!existing) return;
  checkOwnership('role', role, existing.comment, tenantId);
  await terminateSessions(client, 'usename', role);
  const name = quoteIdent(role);
  await inTransaction(client, async () => {
    await lockDatabaseAcls(client);
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
 * (two tenants provisioned together, both granted CONNECT on the shared database, or one dropped
 * by DROP OWNED BY) fail with "tuple concurrently updated" (XX000). Taken inside the caller's
 * transaction, this lock makes them wait for each other instead.
 */
export async function lockDatabaseAcls(client: SqlClient): Promise<void> {
  await client.query('select pg_advisory_xact_lock($1, 0)', [DATABASE_ACL_LOCK_CLASS]);
}

// Apart from the tenant migrations' lock class (tenant-migrations.ts) and the control plane's one-key lock.
const DATABASE_ACL_LOCK_CLASS = 724_003;
