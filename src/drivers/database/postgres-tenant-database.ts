import pg from 'pg';
import {
  DriverError,
  type TenantDatabaseConnection,
  type TenantDatabaseDriver,
  type TenantDatabaseObservation,
  type TenantDatabaseSpec,
} from '../contract.js';
import { ensureDatabase, readDatabase } from './dedicated-database.js';
import { pgDriverError } from './pg-errors.js';
import { observeTenantDatabases } from './tenant-database-observation.js';
import { scramSha256VerifierAsync } from './scram-verifier.js';
import type { SqlClient } from './sql-client.js';
import { readRole } from './tenant-role.js';
import { dropTenantDatabase, observeSharedSchemas, planTenantDatabase as plan, probeTenantSchemas, readContents, scriptResults } from './tenant-provisioning.js';
import { type TenantSetup, contentsScript, roleScript, runSetupScript, sharedSchemasScript } from './tenant-setup-script.js';

export interface PostgresTenantDatabaseOptions {
  /**
   * postgres://user:password@host:port/database of a role that may create roles, schemas and
   * databases (a superuser, or CREATEROLE and CREATEDB). Its database is the shared tenant
   * database: SCHEMA_PER_TENANT schemas live there. Its host and port are also what tenants are
   * told to connect to. Never logged.
   */
  adminUrl: string;
  poolSize: number;
  /** Concurrent sessions one tenant role may open; default 20. */
  connectionLimit?: number;
  /** How long DDL waits for a lock before failing with a retryable error; default 10 s. */
  lockTimeoutMs?: number;
  /** How long verify waits to log in; default 5 s. */
  connectTimeoutMs?: number;
}

const APPLICATION_NAME = 'matih-tenant-database';

/**
 * TenantDatabaseDriver on a PostgreSQL server (spec/004 SETUP_DATABASE, spec/002 phase 4).
 * SCHEMA_PER_TENANT: the tenant's schemas in the admin URL's database; DATABASE_PER_TENANT: a
 * database of its own on the same server, with the same schemas inside. Either way one login role
 * per tenant that can use its own schemas and nothing else (see tenant-role.ts, tenant-schemas.ts).
 *
 * Every verb checks the spec's names before any SQL runs (identifiers.ts) and refuses objects
 * marked as another tenant's (ownership-mark.ts). Errors are DriverErrors (pg-errors.ts).
 */
export class PostgresTenantDatabase implements TenantDatabaseDriver {
  private readonly pool: pg.Pool;
  private readonly adminUrl: string;
  private readonly host: string;
  private readonly port: number;
  private readonly connectionLimit: number;
  private readonly lockTimeoutMs: number;
  private readonly connectTimeoutMs: number;

  constructor(options: PostgresTenantDatabaseOptions) {
    const url = new URL(options.adminUrl);
    this.adminUrl = options.adminUrl;
    // URL keeps IPv6 hosts in brackets; a socket client wants them bare.
    this.host = url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
    this.port = url.port === '' ? 5432 : Number(url.port);
    this.connectionLimit = options.connectionLimit ?? 20;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.pool = new pg.Pool({ ...this.adminConfig(options.adminUrl), max: options.poolSize });
    // A session the server ends (a restart, pg_terminate_backend) emits `error` on its client; the
    // pool listens only while a client is idle, so one checked out would end the process. The
    // statement in flight fails instead (a retryable DriverError) and the pool drops the client.
    this.pool.on('error', () => {});
    this.pool.on('connect', (client) => client.on('error', () => {}));
  }

  async observe(spec: TenantDatabaseSpec): Promise<TenantDatabaseObservation> {
    const s = plan(spec);
    return this.withAdmin(`observing tenant ${spec.tenantId}'s database`, async (admin) => {
      if (spec.isolation === 'SCHEMA_PER_TENANT') return observeSharedSchemas(admin, spec, s);
      const rolePresent = (await readRole(admin, spec.role)) !== undefined;
      const database = spec.database as string;
      if ((await readDatabase(admin, database)) === undefined) {
        return { rolePresent, databasePresent: false, schemasPresent: [], migrationVersion: null };
      }
      return { rolePresent, databasePresent: true, ...(await this.inDatabase(database, (c) => readContents(c, spec, s))) };
    });
  }

  /** One catalog statement for the page (tenant-database-observation.ts), and a session per Enterprise database. */
  async observeMany(specs: readonly TenantDatabaseSpec[]): Promise<(TenantDatabaseObservation | DriverError)[]> {
    return this.withAdmin(`observing ${specs.length} tenants' databases`, (admin) =>
      observeTenantDatabases(admin, specs, (database, work) => this.inDatabase(database, work)),
    );
  }

  /**
   * SCHEMA_PER_TENANT: one script, one round trip (tenant-setup-script.ts). DATABASE_PER_TENANT:
   * the role, the database, then the contents inside it. The password's verifier is computed
   * before a session is taken, off the event loop.
   */
  async ensure(spec: TenantDatabaseSpec, password: string): Promise<TenantDatabaseConnection> {
    const schemas = plan(spec);
    const setup: TenantSetup = { spec, schemas, verifier: await scramSha256VerifierAsync(password), connectionLimit: this.connectionLimit };
    const action = `ensuring tenant ${spec.tenantId}'s database`;
    return this.withAdmin(action, async (admin) => {
      if (spec.isolation === 'SCHEMA_PER_TENANT') {
        const results = scriptResults(await runSetupScript(admin, sharedSchemasScript(setup), setup, action));
        const shared = (results.at(-1)?.rows[0] as { database?: unknown } | undefined)?.database;
        if (typeof shared !== 'string') throw new DriverError(`${action}: the database did not say its name`, true);
        return this.connection(shared, spec.role, password);
      }
      await runSetupScript(admin, roleScript(setup), setup, action);
      const database = spec.database as string;
      await ensureDatabase(admin, { tenantId: spec.tenantId, database, role: spec.role });
      await this.inDatabase(database, (client) => runSetupScript(client, contentsScript(setup), setup, action));
      return this.connection(database, spec.role, password);
    });
  }

  /**
   * Logs in as the tenant's role with its password, puts its schemas on the search_path, reads a
   * seeded table through it, and creates a table in every one of its schemas inside a transaction
   * that is rolled back: proof of LOGIN, CONNECT, USAGE and CREATE that leaves nothing behind.
   */
  async verify(connection: TenantDatabaseConnection, spec: TenantDatabaseSpec): Promise<void> {
    plan(spec);
    if (connection.user !== spec.role) throw new DriverError(`verify: the connection is for ${connection.user}, not the tenant's role ${spec.role}`, false);
    if (spec.isolation === 'DATABASE_PER_TENANT' && connection.database !== spec.database) {
      throw new DriverError(`verify: the connection is to ${connection.database}, not the tenant's database ${spec.database}`, false);
    }
    const where = `${connection.user}@${connection.host}:${connection.port}/${connection.database}`;
    const client = new pg.Client({
      ...connection,
      connectionTimeoutMillis: this.connectTimeoutMs,
      application_name: `${APPLICATION_NAME}-verify`,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      await probeTenantSchemas(client, spec);
    } catch (error) {
      throw pgDriverError(`verifying the tenant database as ${where}`, error);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async drop(spec: TenantDatabaseSpec): Promise<void> {
    plan(spec);
    await this.withAdmin(`dropping tenant ${spec.tenantId}'s database`, (admin) => dropTenantDatabase(admin, spec));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private adminConfig(connectionString: string): pg.ClientConfig {
    return { connectionString, lock_timeout: this.lockTimeoutMs, application_name: APPLICATION_NAME };
  }

  private connection(database: string, user: string, password: string): TenantDatabaseConnection {
    return { host: this.host, port: this.port, database, user, password };
  }

  private async withAdmin<T>(action: string, work: (admin: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient | undefined;
    try {
      client = await this.pool.connect();
      const result = await work(client);
      client.release();
      return result;
    } catch (error) {
      // A client whose work failed may sit in an aborted transaction or on a dead socket: discard it.
      client?.release(true);
      throw pgDriverError(action, error);
    }
  }

  /** A short-lived admin session in another database of the server (an Enterprise tenant's). */
  private async inDatabase<T>(database: string, work: (client: SqlClient) => Promise<T>): Promise<T> {
    const url = new URL(this.adminUrl);
    url.pathname = `/${encodeURIComponent(database)}`;
    const client = new pg.Client(this.adminConfig(url.toString()));
    client.on('error', () => {});
    try {
      await client.connect();
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
