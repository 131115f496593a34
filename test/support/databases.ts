import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate } from '../../src/store/migrate.js';
import { type Database, openDatabase } from '../../src/store/open-database.js';

/**
 * Each test file gets a database of its own, created on the run's PostgreSQL server (the embedded
 * server global-setup.ts started, or TEST_DATABASE_URL) and dropped afterwards, with the
 * server-wide roles and databases its tenants made.
 */
export const SERVER_URL: string = inject('testDatabaseUrl');

export interface TestDatabase extends Database {
  /** The URL of this file's own database (child processes and drivers use it). */
  url: string;
}

/** A fresh database (migrated unless told otherwise), dropped by close(). */
export async function openTestDatabase(options: { migrated?: boolean; poolSize?: number } = {}): Promise<TestDatabase> {
  const url = await createServerDatabase();
  const database = openDatabase({ url, poolSize: options.poolSize ?? 20, kind: 'external' });
  if (options.migrated ?? true) await migrate(database.db);
  return {
    ...database,
    url,
    async close() {
      await database.close();
      await dropServerDatabase(url);
    },
  };
}

/** A fresh, empty database on the run's server, or on `serverUrl` (another server a test needs). */
export async function createServerDatabase(serverUrl: string = SERVER_URL): Promise<string> {
  const name = `matih_test_${randomBytes(6).toString('hex')}`;
  await withServer((client) => client.query(`create database ${name}`), serverUrl);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The prefix of the cluster-wide names (roles, Enterprise tenant databases) a test makes on the
 * server beside its database `matih_test_<hex>`: `t<hex>_`. Unique per test database, so parallel
 * test files never share a role, and dropServerDatabase can find and drop exactly that test's.
 */
export function tenantNamePrefixFor(databaseUrl: string): string {
  const name = new URL(databaseUrl).pathname.slice(1);
  const hex = /^matih_test_([0-9a-f]+)$/.exec(name)?.[1];
  if (hex === undefined) throw new Error(`not a test database: ${name}`);
  return `t${hex}_`;
}

/** Drops the test database, then every database and role named with its prefix (tenantNamePrefixFor), on the server `url` names. */
export async function dropServerDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^matih_test_[0-9a-f]+$/.test(name)) throw new Error(`refusing to drop ${name}`);
  const prefix = tenantNamePrefixFor(url);
  await withServer(async (client) => {
    await client.query(`drop database if exists ${quoteIdent(name)} with (force)`);
    // Databases first: a role cannot be dropped while it may connect to one. Grants inside the test
    // database went with it; a role still holding rights elsewhere fails loudly here.
    const startsWith = (column: string) => `left(${column}, length($1)) = $1`;
    const databases = await client.query<{ name: string }>(`select datname as name from pg_database where ${startsWith('datname')}`, [prefix]);
    for (const row of databases.rows) await client.query(`drop database if exists ${quoteIdent(row.name)} with (force)`);
    const roles = await client.query<{ name: string }>(`select rolname as name from pg_roles where ${startsWith('rolname')}`, [prefix]);
    for (const row of roles.rows) await client.query(`drop role if exists ${quoteIdent(row.name)}`);
  }, serverOf(url));
}

/** The URL of the server's administrative session: the test database's own URL with the run's credentials, or another server's as given. */
function serverOf(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const run = new URL(SERVER_URL);
  if (url.host === run.host) return SERVER_URL;
  url.pathname = '/postgres';
  return url.toString();
}

/** A session on the server as its administrator (the run's superuser, or the one `serverUrl` names). */
export async function withServer<T>(work: (client: pg.Client) => Promise<T>, serverUrl: string = SERVER_URL): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
