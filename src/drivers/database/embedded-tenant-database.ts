import {
  DriverError,
  type TenantDatabaseConnection,
  type TenantDatabaseDriver,
  type TenantDatabaseObservation,
  type TenantDatabaseSpec,
} from '../contract.js';
import { quoteIdent } from './identifiers.js';
import { pgDriverError } from './pg-errors.js';
import { scramVerifierMatches } from './scram-verifier.js';
import type { SqlClient, SqlSessionProvider } from './sql-client.js';
import type { ServiceSchemas } from './tenant-migrations.js';
import {
  dropTenantDatabase,
  ensureSharedSchemas,
  observeSharedSchemas,
  planTenantDatabase,
  probeTenantSchemas,
} from './tenant-provisioning.js';

export interface EmbeddedTenantDatabaseOptions {
  /**
   * What ensure reports as the tenant's connection. The embedded database has no network
   * endpoint, so by default host 'embedded' and port 0, and the session's current_database()
   * (PGlite's is 'template1').
   */
  host?: string;
  port?: number;
  database?: string;
  /** The role's CONNECTION LIMIT, as on a server (no one logs in here); default 20. */
  connectionLimit?: number;
}

/**
 * TenantDatabaseDriver on the embedded database (PGlite), the default when no PostgreSQL server is
 * configured: the tenant's schemas and its role in the control plane's own database, by the very
 * SQL PostgresTenantDatabase runs (tenant-provisioning.ts), over sessions from `withSession`. The
 * composition root builds that over the control plane's Kysely (src/store/sql-session.ts), which on
 * PGlite serialises every user of the one connection, so a verb holds the database for its
 * duration.
 *
 * What the embedded database cannot give, and what this driver does instead:
 * - One database, and no second session to open one with: SCHEMA_PER_TENANT only. A
 *   DATABASE_PER_TENANT spec is refused with a permanent DriverError by every verb, so the step
 *   records the fallback (contract.ts `isolations`) instead of retrying.
 * - No logins: the role is created with LOGIN and a password (a SCRAM verifier, as on a server),
 *   but verify cannot log in with it. It checks the password against the stored verifier instead,
 *   and acts as the role with SET LOCAL ROLE (see verify). That a login works is verified only on
 *   a server.
 * - No CONNECT grant: PGlite fails GRANT and REVOKE on the ACL of the database it runs in
 *   ("tuple concurrently deleted", XX000), and the grant would mean nothing without logins.
 * Everything else PGlite does as a server does (tried on PGlite 0.3, PostgreSQL 17.5): CREATE and
 * ALTER ROLE with a SCRAM verifier stored as given, COMMENT ON ROLE and shobj_description, schema
 * grants and default privileges enforced under SET ROLE, DROP OWNED BY, advisory locks.
 * pg_stat_activity is empty, so ending a role's sessions is a no-op.
 */
export class EmbeddedTenantDatabase implements TenantDatabaseDriver {
  readonly isolations: ReadonlySet<TenantDatabaseSpec['isolation']> = new Set(['SCHEMA_PER_TENANT'] as const);
  private readonly host: string;
  private readonly port: number;
  private readonly database: string | undefined;
  private readonly connectionLimit: number;

  constructor(
    private readonly withSession: SqlSessionProvider,
    options: EmbeddedTenantDatabaseOptions = {},
  ) {
    this.host = options.host ?? 'embedded';
    this.port = options.port ?? 0;
    this.database = options.database;
    this.connectionLimit = options.connectionLimit ?? 20;
  }

  async observe(spec: TenantDatabaseSpec): Promise<TenantDatabaseObservation> {
    const s = this.plan(spec);
    return this.session(`observing tenant ${spec.tenantId}'s database`, (client) => observeSharedSchemas(client, spec, s));
  }

  async ensure(spec: TenantDatabaseSpec, password: string): Promise<TenantDatabaseConnection> {
    const s = this.plan(spec);
    return this.session(`ensuring tenant ${spec.tenantId}'s database`, async (client) => {
      const database = await ensureSharedSchemas(client, spec, s, { password, connectionLimit: this.connectionLimit, grantConnect: false });
      return { host: this.host, port: this.port, database: this.database ?? database, user: spec.role, password };
    });
  }

  /**
   * The next best thing to logging in: checks that the role exists, may log in and has
   * `connection.password` (against the stored SCRAM verifier, when the session may read it), then,
   * in a transaction that is rolled back, becomes the role with SET LOCAL ROLE and runs the same
   * probe as a server login (tenant-provisioning.ts probeTenantSchemas): its schemas on the
   * search_path, a seeded table read, a table created in every schema. Proof of the role's USAGE and
   * CREATE that leaves nothing behind; not of LOGIN, which only a server can prove.
   */
  async verify(connection: TenantDatabaseConnection, spec: TenantDatabaseSpec): Promise<void> {
    this.plan(spec);
    if (connection.user !== spec.role) throw new DriverError(`verify: the connection is for ${connection.user}, not the tenant's role ${spec.role}`, false);
    await this.session(`verifying the tenant database as ${spec.role} (embedded)`, async (client) => {
      await checkLogin(client, spec.role, connection.password);
      await client.query('begin');
      try {
        await client.query(`SET LOCAL ROLE ${quoteIdent(spec.role)}`);
        await probeTenantSchemas(client, spec);
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      }
      // Also ends the SET LOCAL ROLE: the session is the admin's again.
      await client.query('rollback');
    });
  }

  async drop(spec: TenantDatabaseSpec): Promise<void> {
    this.plan(spec);
    await this.session(`dropping tenant ${spec.tenantId}'s database`, (client) => dropTenantDatabase(client, spec));
  }

  /** Checks the spec before any SQL runs; refuses what the embedded database cannot give. */
  private plan(spec: TenantDatabaseSpec): ServiceSchemas {
    if (!this.isolations.has(spec.isolation)) {
      throw new DriverError(
        `tenant ${spec.tenantId}: ${spec.isolation} needs a PostgreSQL server; the embedded database has one database and gives SCHEMA_PER_TENANT only`,
        false,
      );
    }
    return planTenantDatabase(spec);
  }

  private async session<T>(action: string, work: (client: SqlClient) => Promise<T>): Promise<T> {
    try {
      return await this.withSession(work);
    } catch (error) {
      throw pgDriverError(action, error);
    }
  }
}

/**
 * What a login would check first: the role exists and may log in, and the password is its own.
 * pg_authid, which holds the verifier, is readable by superusers only (on PGlite the session is
 * one); any other session skips the password check rather than fail.
 */
async function checkLogin(client: SqlClient, role: string, password: string): Promise<void> {
  const found = await client.query<{ login: boolean; superuser: boolean }>(
    `select rolcanlogin as login, current_setting('is_superuser') = 'on' as superuser from pg_roles where rolname = $1`,
    [role],
  );
  const row = found.rows[0];
  if (row === undefined) throw new DriverError(`verify: role ${JSON.stringify(role)} does not exist`, false);
  if (!row.login) throw new DriverError(`verify: role ${JSON.stringify(role)} may not log in`, false);
  if (!row.superuser) return;
  const stored = await client.query<{ verifier: string | null }>('select rolpassword as verifier from pg_authid where rolname = $1', [role]);
  if (!scramVerifierMatches(stored.rows[0]?.verifier ?? null, password)) {
    throw new DriverError(`verify: the connection's password is not role ${JSON.stringify(role)}'s`, false);
  }
}
