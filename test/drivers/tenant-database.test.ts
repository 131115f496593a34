import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROLES } from '../../src/domain/roles.js';
import { DriverError, type TenantDatabaseConnection, type TenantDatabaseSpec } from '../../src/drivers/contract.js';
import { MAX_TENANT_NAME_PREFIX_LENGTH, tenantDatabasePlan, tenantNamePrefixProblem } from '../../src/domain/tenant-database.js';
import { checkTenantDatabaseSpec } from '../../src/drivers/database/identifiers.js';
import { isRetryablePgError } from '../../src/drivers/database/pg-errors.js';
import { isDatabaseUnavailable } from '../../src/store/database-errors.js';
import { PostgresTenantDatabase } from '../../src/drivers/database/postgres-tenant-database.js';
import { DEFAULT_CONFIGURATION, DEFAULT_DASHBOARD_TEMPLATES } from '../../src/drivers/database/seed.js';
import { scramSha256Verifier } from '../../src/drivers/database/scram-verifier.js';
import { TENANT_MIGRATIONS } from '../../src/drivers/database/tenant-migrations.js';
import { scramVerifierMatches } from '../support/scram.js';
import { migrate } from '../../src/store/migrate.js';
import { openDatabase } from '../../src/store/open-database.js';
import { SERVER_URL, createServerDatabase, dropServerDatabase, tenantNamePrefixFor } from '../support/databases.js';

/** The version the tenant migrations end at. */
const LATEST_TENANT_MIGRATION = TENANT_MIGRATIONS.at(-1)?.version;

// Roles and databases are cluster-wide: every one this file makes on the server carries the prefix
// of its test database (tenantNamePrefixFor), and dropServerDatabase drops them all afterwards.
let prefix = '';
const PASSWORD = `pw-${randomBytes(18).toString('base64url')}`;
/** The spec the steps declare for a slug: the domain's plan. */
const spec = (slug: string, isolation: TenantDatabaseSpec['isolation'] = 'SCHEMA_PER_TENANT', tenantId = randomUUID()): TenantDatabaseSpec =>
  tenantDatabasePlan(tenantId, slug, isolation, prefix);
const q = (name: string) => `"${name}"`;
const schemaOf = (s: TenantDatabaseSpec, suffix: string) => s.schemas.find((name) => name.endsWith(`_${suffix}`)) as string;

/** The SQLSTATE a query fails with, or 'ok'. */
async function codeOf(work: Promise<unknown>): Promise<string> {
  return work.then(
    () => 'ok',
    (error: unknown) => String((error as { code?: unknown }).code),
  );
}

async function permanentError(work: Promise<unknown>): Promise<DriverError> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DriverError);
  expect((error as DriverError).retryable).toBe(false);
  return error as DriverError;
}

/** A session as the tenant's role, with the password the driver returned (see the pg_hba note in `password`). */
async function asTenant<T>(conn: TenantDatabaseConnection, work: (c: pg.Client) => Promise<T>, database = conn.database): Promise<T> {
  const client = new pg.Client({ ...conn, database });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Checks a password against the stored SCRAM verifier as the server's scram-sha-256 login does
 * (verify_client_proof), with node-postgres's own SCRAM client computing the proof. Needed because
 * this machine's pg_hba.conf trusts 127.0.0.1: a login there never looks at the password.
 */
interface Sasl {
  startSession(mechanisms: string[]): { clientNonce: string; response: string };
  continueSession(session: object, password: string, serverFirst: string): Promise<void>;
  finalizeSession(session: object, serverFinal: string): void;
}
const SASL_MODULE = 'pg/lib/crypto/sasl.js';
async function passwordMatches(verifier: string, password: string): Promise<boolean> {
  const sasl = ((await import(SASL_MODULE)) as { default: Sasl }).default;
  const [, iterations, salt, storedKey, serverKey] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier) ?? [];
  if (!iterations || !salt || !storedKey || !serverKey) return false;
  const session = sasl.startSession(['SCRAM-SHA-256']);
  const serverFirst = `r=${session.clientNonce}${randomBytes(18).toString('base64')},s=${salt},i=${iterations}`;
  await sasl.continueSession(session, password, serverFirst);
  const [finalWithoutProof, proof] = session.response.split(',p=') as [string, string];
  const authMessage = `n=*,r=${session.clientNonce},${serverFirst},${finalWithoutProof}`;
  const signature = createHmac('sha256', Buffer.from(storedKey, 'base64')).update(authMessage).digest();
  const clientKey = Buffer.from(proof, 'base64').map((byte, i) => byte ^ (signature[i] ?? 0));
  if (createHash('sha256').update(clientKey).digest('base64') !== storedKey) return false;
  sasl.finalizeSession(session, `v=${createHmac('sha256', Buffer.from(serverKey, 'base64')).update(authMessage).digest('base64')}`);
  return true;
}

describe('tenant database names and errors (no server needed)', () => {
  it('makes SCRAM-SHA-256 verifiers a login with the password matches, and no other password', () => {
    const verifier = scramSha256Verifier(PASSWORD);
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(scramVerifierMatches(verifier, PASSWORD)).toBe(true);
    expect(scramVerifierMatches(verifier, `${PASSWORD}x`)).toBe(false);
    // A fresh salt each time: two verifiers of one password differ.
    expect(scramSha256Verifier(PASSWORD)).not.toBe(verifier);
  });

  it('refuses, with a permanent error, a spec whose names are not safe identifiers (a slug the domain would refuse)', async () => {
    for (const slug of ['Acme', 'ac"me', 'a;b', '-acme']) {
      await permanentError(Promise.resolve().then(() => checkTenantDatabaseSpec(tenantDatabasePlan('t-1', slug, 'SCHEMA_PER_TENANT'))));
    }
  });

  it('the longest slug with the longest prefix still fits 63 bytes, so no name is truncated', () => {
    const longest = 'x'.repeat(MAX_TENANT_NAME_PREFIX_LENGTH);
    const slug = `${'a'.repeat(19)}-${'b'.repeat(20)}`;
    expect(slug).toHaveLength(40);
    for (const isolation of ['SCHEMA_PER_TENANT', 'DATABASE_PER_TENANT'] as const) {
      const s = tenantDatabasePlan('t-1', slug, isolation, longest);
      expect(() => checkTenantDatabaseSpec(s)).not.toThrow();
      for (const name of [s.role, s.database ?? '', ...s.schemas]) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    }
    const own = tenantDatabasePlan('t-1', slug, 'DATABASE_PER_TENANT', longest);
    expect(own.role).toHaveLength(62);
    expect(own.database).toHaveLength(62);
  });

  it('derives a test prefix from the test database name', () => {
    expect(tenantNamePrefixFor('postgres://postgres@127.0.0.1:5432/matih_test_0123456789ab')).toBe('t0123456789ab_');
    expect(tenantNamePrefixProblem(tenantNamePrefixFor('postgres://h/matih_test_0123456789ab'))).toBeUndefined();
    expect(() => tenantNamePrefixFor('postgres://h/postgres')).toThrow();
  });

  it('classifies server errors: unreachable, shutdown, serialization, too many connections retry; privilege and syntax do not', async () => {
    for (const code of ['ECONNREFUSED', '57P01', '40001', '53300', '08006', '55P03']) expect(isRetryablePgError({ code }), code).toBe(true);
    for (const code of ['42501', '42601', '28P01', '3D000', '2BP01']) expect(isRetryablePgError({ code }), code).toBe(false);
    const nowhere = new PostgresTenantDatabase({ adminUrl: 'postgres://postgres@127.0.0.1:1/postgres', poolSize: 1 });
    const error = await nowhere.observe(spec('down')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).retryable).toBe(true);
    await nowhere.close();
  });

  it('classifies a session the server ended, and a client used after that, as retryable', async () => {
    // What pg_terminate_backend or a restart does to a session in use: the statement in flight
    // fails, and a client that is used again says it "is not queryable". Both must be retried,
    // or a tenant would fail for good because its database connection was cut.
    const client = new pg.Client({ connectionString: SERVER_URL });
    const broken = new Promise<Error>((resolve) => client.on('error', resolve));
    await client.connect();
    const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
    const admin = new pg.Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query('select pg_terminate_backend($1)', [pid]);
    await admin.end();
    const ended = await broken;
    const reused = await client.query('select 1').catch((e: unknown) => e);
    expect(isRetryablePgError(ended), ended.message).toBe(true);
    expect(reused).toBeInstanceOf(Error);
    expect(isRetryablePgError(reused), (reused as Error).message).toBe(true);
    expect(isDatabaseUnavailable(ended) && isDatabaseUnavailable(reused)).toBe(true);
    await client.end().catch(() => undefined);
  });
});

describe('PostgresTenantDatabase on the PostgreSQL server', () => {
  let url: string;
  let driver: PostgresTenantDatabase;
  let admin: pg.Client;
  let a: TenantDatabaseSpec;
  let b: TenantDatabaseSpec;
  let connA: TenantDatabaseConnection;
  let connB: TenantDatabaseConnection;

  const count = async (sql: string) => Number((await admin.query<{ n: string }>(`select count(*) as n from ${sql}`)).rows[0]?.n);
  const schemasInShared = async (s: TenantDatabaseSpec) =>
    (await admin.query<{ n: string }>('select schema_name as n from information_schema.schemata where schema_name = any($1)', [s.schemas])).rows.length;
  const roleExists = async (role: string) => (await admin.query('select 1 from pg_roles where rolname = $1', [role])).rowCount === 1;
  const databaseExists = async (db: string) => (await admin.query('select 1 from pg_database where datname = $1', [db])).rowCount === 1;
  const storedVerifier = async (role: string) =>
    (await admin.query<{ p: string }>('select rolpassword as p from pg_authid where rolname = $1', [role])).rows[0]?.p ?? '';

  beforeAll(async () => {
    url = await createServerDatabase();
    prefix = tenantNamePrefixFor(url);
    a = spec('tenant-a');
    b = spec('tenant-b');
    // The control plane's own tables, in the very database the tenant schemas share.
    const controlPlane = openDatabase({ kind: 'external', url, poolSize: 2 });
    await migrate(controlPlane.db);
    await controlPlane.close();
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    driver = new PostgresTenantDatabase({ adminUrl: url, poolSize: 4 });
    connA = await driver.ensure(a, PASSWORD);
    connB = await driver.ensure(b, `${PASSWORD}-b`);
  });

  afterAll(async () => {
    await driver?.close();
    await admin?.end();
    if (!url) return;
    // Drops the test database, then every database and role carrying its prefix.
    await dropServerDatabase(url);
    const server = new pg.Client({ connectionString: SERVER_URL });
    await server.connect();
    try {
      const left = await server.query('select rolname from pg_roles where left(rolname, length($1)) = $1 union all select datname from pg_database where left(datname, length($1)) = $1', [prefix]);
      expect(left.rows).toEqual([]);
    } finally {
      await server.end();
    }
  });

  it('names every role and database it makes with the prefix, and no schema', async () => {
    expect(prefix).toMatch(/^t[0-9a-f]+_$/);
    const named = await admin.query<{ rolname: string }>('select rolname from pg_roles where left(rolname, length($1)) = $1 order by rolname', [prefix]);
    expect(named.rows.map((r) => r.rolname)).toEqual(expect.arrayContaining([`${prefix}tenant_a_app`, `${prefix}tenant_b_app`]));
    expect(a.schemas).toEqual(tenantDatabasePlan('t', 'tenant-a', 'SCHEMA_PER_TENANT').schemas);
    expect(await schemasInShared(a)).toBe(9);
    expect(spec('tenant-e', 'DATABASE_PER_TENANT')).toMatchObject({ role: `${prefix}tenant_e_owner`, database: `${prefix}matih_tenant_e` });
  });

  it('provisions nine schemas, a login role limited to them, the migrations and the seed data', async () => {
    expect(await driver.observe(a)).toEqual({ rolePresent: true, databasePresent: false, schemasPresent: [...a.schemas].sort(), migrationVersion: LATEST_TENANT_MIGRATION });
    const server = new URL(url);
    expect(connA).toEqual({ host: server.hostname, port: Number(server.port || 5432), database: server.pathname.slice(1), user: a.role, password: PASSWORD });
    const role = (await admin.query('select rolcanlogin, rolinherit, rolcreatedb, rolcreaterole, rolsuper, rolconnlimit from pg_roles where rolname = $1', [a.role])).rows[0] as unknown;
    expect(role).toEqual({ rolcanlogin: true, rolinherit: false, rolcreatedb: false, rolcreaterole: false, rolsuper: false, rolconnlimit: 20 });

    await asTenant(connA, async (c) => {
      const ai = q(schemaOf(a, 'ai'));
      await c.query(`create table ${ai}.notes (id serial primary key, body text)`);
      await c.query(`insert into ${ai}.notes (body) values ('hello')`);
      expect((await c.query(`select body from ${ai}.notes`)).rows).toEqual([{ body: 'hello' }]);
      // Seeded tables, read as the tenant.
      expect((await c.query(`select key from ${q(schemaOf(a, 'bi'))}.dashboard_templates`)).rowCount).toBe(DEFAULT_DASHBOARD_TEMPLATES.length);
      expect((await c.query(`select name from ${q(schemaOf(a, 'governance'))}.system_roles order by name`)).rows.map((r: { name: string }) => r.name)).toEqual(DEFAULT_ROLES.map((r) => r.name).sort());
      const configured = await c.query(`select key from ${q(schemaOf(a, 'ai'))}.configuration`);
      expect(configured.rowCount).toBe(DEFAULT_CONFIGURATION.filter((e) => e.service === 'ai').length);
    });
    await driver.verify(connA, a);
  });

  it('stores only a SCRAM verifier of the password, and ensure resets it (pg_hba trusts 127.0.0.1: see passwordMatches)', async () => {
    const tenant = spec('tenant-p');
    await driver.ensure(tenant, PASSWORD);
    expect(await storedVerifier(tenant.role)).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(await passwordMatches(await storedVerifier(tenant.role), PASSWORD)).toBe(true);
    expect(await passwordMatches(await storedVerifier(tenant.role), `${PASSWORD}x`)).toBe(false);
    await driver.ensure(tenant, 'a-new-password-0123456789');
    expect(await passwordMatches(await storedVerifier(tenant.role), 'a-new-password-0123456789')).toBe(true);
    expect(await passwordMatches(await storedVerifier(tenant.role), PASSWORD)).toBe(false);
    // Refused before any SQL, without echoing the password.
    const refused = await permanentError(driver.ensure(tenant, 'pässwörd-secret'));
    expect(refused.message).not.toContain('secret');
    await driver.drop(tenant);
  });

  it('ensure twice changes nothing: same observation, no duplicated seed rows, tenant edits kept', async () => {
    const gov = q(schemaOf(a, 'governance'));
    const before = await driver.observe(a);
    const rows = async () => [await count(`${gov}.system_roles`), await count(`${q(schemaOf(a, 'bi'))}.dashboard_templates`), await count(`${gov}.schema_version`)];
    const seeded = await rows();
    expect(seeded).toEqual([DEFAULT_ROLES.length, DEFAULT_DASHBOARD_TEMPLATES.length, LATEST_TENANT_MIGRATION]);
    await asTenant(connA, (c) => c.query(`update ${q(schemaOf(a, 'query'))}.configuration set value = '90' where key = 'timeout.seconds'`));
    await driver.ensure(a, PASSWORD);
    expect(await driver.observe(a)).toEqual(before);
    expect(await rows()).toEqual(seeded);
    expect((await admin.query(`select value from ${q(schemaOf(a, 'query'))}.configuration where key = 'timeout.seconds'`)).rows).toEqual([{ value: 90 }]);
  });

  it("isolates tenants: A cannot read or create in B's schemas, read control-plane tables, or gain rights", async () => {
    await asTenant(connA, async (c) => {
      expect(await codeOf(c.query(`select * from ${q(schemaOf(b, 'governance'))}.system_roles`))).toBe('42501');
      expect(await codeOf(c.query(`create table ${q(schemaOf(b, 'ai'))}.stolen (id int)`))).toBe('42501');
      expect(await codeOf(c.query('select * from tenants'))).toBe('42501');
      expect(await codeOf(c.query('select * from public.schema_migrations'))).toBe('42501');
      expect(await codeOf(c.query('create table public.squat (id int)'))).toBe('42501');
      expect(await codeOf(c.query(`create role ${q(`${prefix}evil`)}`))).toBe('42501');
      expect(await codeOf(c.query(`create database ${q(`${prefix}evil`)}`))).toBe('42501');
      expect(await codeOf(c.query(`alter role ${q(a.role)} createdb`))).toBe('42501');
      // Its schemas are the admin's: it can use them but not drop them or rewrite the migration record.
      expect(await codeOf(c.query(`drop schema ${q(schemaOf(a, 'ml'))}`))).toBe('42501');
      expect(await codeOf(c.query(`delete from ${q(schemaOf(a, 'governance'))}.schema_version`))).toBe('42501');
    });
    await asTenant(connB, async (c) => {
      expect(await codeOf(c.query(`select * from ${q(schemaOf(a, 'ai'))}.notes`))).toBe('42501');
    });
  });

  it('drop removes exactly its schemas and role, leaves no orphan, and ensure re-provisions cleanly', async () => {
    const c = spec('tenant-c');
    const d = spec('tenant-d');
    const connD = await driver.ensure(d, PASSWORD);
    await asTenant(connD, (s) => s.query(`insert into ${q(schemaOf(d, 'bi'))}.dashboards (name) values ('kept')`));
    await driver.ensure(c, PASSWORD);
    await asTenant(await driver.ensure(c, PASSWORD), (s) => s.query(`create table ${q(schemaOf(c, 'ml'))}.models (id int)`));

    await driver.drop(c);
    expect(await schemasInShared(c)).toBe(0);
    expect(await roleExists(c.role)).toBe(false);
    expect(await count(`pg_default_acl where defaclacl::text like '%${c.role}%'`)).toBe(0);
    expect(await driver.observe(c)).toEqual({ rolePresent: false, databasePresent: false, schemasPresent: [], migrationVersion: null });
    await driver.drop(c); // absent is success

    expect(await schemasInShared(d)).toBe(9);
    expect(await roleExists(d.role)).toBe(true);
    expect(await count(`${q(schemaOf(d, 'bi'))}.dashboards`)).toBe(1);
    await driver.verify(connD, d);

    const again = await driver.ensure(c, PASSWORD);
    expect(await driver.observe(c)).toMatchObject({ rolePresent: true, migrationVersion: LATEST_TENANT_MIGRATION });
    expect(await count(`${q(schemaOf(c, 'governance'))}.system_roles`)).toBe(DEFAULT_ROLES.length);
    await driver.verify(again, c);
    await driver.drop(c);
    await driver.drop(d);
  });

  it('Enterprise: a database of its own with the schemas inside, closed to others; drop removes database and role', async () => {
    const e = spec('tenant-e', 'DATABASE_PER_TENANT');
    const connE = await driver.ensure(e, PASSWORD);
    expect(connE.database).toBe(e.database);
    expect(await driver.observe(e)).toEqual({ rolePresent: true, databasePresent: true, schemasPresent: [...e.schemas].sort(), migrationVersion: LATEST_TENANT_MIGRATION });
    expect(await schemasInShared(e)).toBe(0);
    await driver.verify(connE, e);
    await asTenant(connE, async (c) => {
      await c.query(`create table ${q(schemaOf(e, 'ai'))}.notes (body text)`);
      expect((await c.query(`select count(*)::int as n from ${q(schemaOf(e, 'governance'))}.system_roles`)).rows).toEqual([{ n: DEFAULT_ROLES.length }]);
    });
    // Another tenant's role cannot even connect to it; its role finds nothing readable in the shared database.
    expect(await codeOf(asTenant(connA, () => Promise.resolve(), e.database))).toBe('42501');
    await asTenant(connE, async (c) => {
      expect(await codeOf(c.query(`select * from ${q(schemaOf(a, 'ai'))}.notes`))).toBe('42501');
      expect(await codeOf(c.query('select * from tenants'))).toBe('42501');
    }, connA.database);

    await driver.drop(e);
    expect(await databaseExists(e.database as string)).toBe(false);
    expect(await roleExists(e.role)).toBe(false);
    await driver.drop(e);
  });

  it('refuses SQL-breaking names with a permanent error before any SQL runs', async () => {
    const good = spec('tenant-q');
    const evil: TenantDatabaseSpec[] = [
      { ...good, schemas: [...good.schemas.slice(1), `${good.schemas[0]}"; drop table tenants; --`] },
      { ...good, role: `${good.role}' superuser; --` },
      { ...good, isolation: 'DATABASE_PER_TENANT', database: 'matih_x; drop database postgres' },
      { ...good, isolation: 'DATABASE_PER_TENANT', database: 'postgres' },
      { ...good, schemas: [...good.schemas, 'public'] },
      { ...good, schemas: [...good.schemas, 'Upper_ai'] },
      { ...good, schemas: [...good.schemas, `${'x'.repeat(60)}_ai`] },
      { ...good, schemas: good.schemas.filter((s) => !s.endsWith('_governance')) },
    ];
    // Port 1 answers nothing: had the driver tried any SQL, it would fail with a retryable connection error.
    const unreachable = new PostgresTenantDatabase({ adminUrl: 'postgres://postgres@127.0.0.1:1/postgres', poolSize: 1 });
    for (const s of evil) {
      for (const driverUnderTest of [unreachable, driver]) {
        await permanentError(driverUnderTest.observe(s));
        await permanentError(driverUnderTest.ensure(s, PASSWORD));
        await permanentError(driverUnderTest.drop(s));
        await permanentError(driverUnderTest.verify({ ...connA, user: s.role }, s));
      }
    }
    await unreachable.close();
    expect(await count(`pg_roles where left(rolname, ${prefix.length}) = '${prefix}' and rolname like '%''%'`)).toBe(0);
    expect(await count('tenants')).toBe(0); // still there
  });

  it('quotes every identifier: a slug starting with a digit works end to end', async () => {
    const digits = spec('1acme');
    expect(digits.schemas).toContain('1acme_ai');
    const conn = await driver.ensure(digits, PASSWORD);
    await driver.verify(conn, digits);
    await asTenant(conn, (c) => c.query(`select * from ${q(schemaOf(digits, 'bi'))}.dashboard_templates`));
    await driver.drop(digits);
    expect(await roleExists(digits.role)).toBe(false);
    expect(await schemasInShared(digits)).toBe(0);
  });

  it("refuses to adopt or drop objects marked as another tenant's (a reused slug)", async () => {
    const first = spec('tenant-r');
    await driver.ensure(first, PASSWORD);
    const reused = { ...first, tenantId: randomUUID() };
    expect((await permanentError(driver.ensure(reused, PASSWORD))).message).toContain('is not tenant');
    await permanentError(driver.drop(reused));
    expect(await schemasInShared(first)).toBe(9);
    await driver.drop(first);
    expect(await roleExists(first.role)).toBe(false);
  });
});
