import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../src/store/migrate.js';
import { type Database, openDatabase } from '../../src/store/open-database.js';

/**
 * Each test file gets a database of its own: an in-memory PGlite, or a fresh database created on
 * the PostgreSQL server (TEST_DATABASE_URL, else the local default if it answers) and dropped
 * afterwards. Suites that take `BACKENDS` run once per backend.
 */
export type BackendKind = 'pglite' | 'postgres';

const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function probeServer(): Promise<string | undefined> {
  const configured = process.env.TEST_DATABASE_URL;
  const url = configured ?? DEFAULT_SERVER_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('select 1');
    return url;
  } catch (error) {
    // Set explicitly (as CI does) but unreachable: that is a broken run, not a reason to skip.
    if (configured) throw new Error(`TEST_DATABASE_URL is set but the server does not answer: ${String(error)}`);
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const SERVER_URL = await probeServer();
export const HAS_SERVER = SERVER_URL !== undefined;
export const BACKENDS: readonly BackendKind[] = HAS_SERVER ? ['pglite', 'postgres'] : ['pglite'];

if (!HAS_SERVER) {
  console.warn('PostgreSQL server not reachable (set TEST_DATABASE_URL): server suites are skipped, PGlite suites run.');
}

export interface TestDatabase extends Database {
  /** For the server backend: the URL of this file's own database (child processes use it). */
  url: string | undefined;
}

/** A fresh, migrated database of the given kind. */
export async function openTestDatabase(kind: BackendKind, options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const migrated = options.migrated ?? true;
  if (kind === 'pglite') {
    const database = await openDatabase({ kind: 'pglite', dataDir: undefined });
    if (migrated) await migrate(database.db);
    return { ...database, url: undefined };
  }
  const url = await createServerDatabase();
  const database = await openDatabase({ kind: 'postgres', url, poolSize: 20 });
  if (migrated) await migrate(database.db);
  return {
    ...database,
    url,
    async close() {
      await database.close();
      await dropServerDatabase(url);
    },
  };
}

export async function createServerDatabase(): Promise<string> {
  if (!SERVER_URL) throw new Error('no PostgreSQL server for this suite');
  const name = `matih_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(SERVER_URL);
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

/** Drops the test database, then every database and role named with its prefix (tenantNamePrefixFor). */
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
  });
}

async function adminQuery(text: string): Promise<void> {
  await withServer((client) => client.query(text));
}

async function withServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: SERVER_URL });
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
