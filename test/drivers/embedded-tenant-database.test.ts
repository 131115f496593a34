import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROLES } from '../../src/domain/roles.js';
import { DriverError, type TenantDatabaseConnection, type TenantDatabaseDriver, type TenantDatabaseSpec } from '../../src/drivers/contract.js';
import { EmbeddedTenantDatabase } from '../../src/drivers/database/embedded-tenant-database.js';
import { tenantDatabaseSpec } from '../../src/drivers/database/identifiers.js';
import { PostgresTenantDatabase } from '../../src/drivers/database/postgres-tenant-database.js';
import { scramSha256Verifier, scramVerifierMatches } from '../../src/drivers/database/scram-verifier.js';
import { DEFAULT_CONFIGURATION, DEFAULT_DASHBOARD_TEMPLATES } from '../../src/drivers/database/seed.js';
import type { SqlClient, SqlSessionProvider } from '../../src/drivers/database/sql-client.js';
import { LATEST_TENANT_MIGRATION } from '../../src/drivers/database/tenant-migrations.js';
import { sqlSession } from '../../src/store/sql-session.js';
import { BACKENDS, HAS_SERVER, type TestDatabase, openTestDatabase, tenantNamePrefixFor } from '../support/databases.js';

/**
 * The behaviour of a TenantDatabaseDriver, run against every driver where it applies:
 * EmbeddedTenantDatabase on PGlite (the default without a server), the same driver over the
 * server's pool (sqlSession on the pg dialect), and PostgresTenantDatabase on the server. On the
 * embedded database nobody logs in, so "as the tenant" means SET ROLE there; on the server driver
 * it means a real login with the connection ensure returned.
 */

const PASSWORD = `pw-${randomBytes(18).toString('base64url')}`;
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

interface Target {
  name: string;
  /** False: the driver under test logs in (a server); true: it acts as the role with SET ROLE. */
  embedded: boolean;
  open(): Promise<{ database: TestDatabase; driver: TenantDatabaseDriver; prefix: string; close(): Promise<void> }>;
}

/** A session as `role` without logging in: SET LOCAL ROLE in one transaction, each statement under a savepoint so a refused one does not end it. Committed at the end. */
async function asRole<T>(withSession: SqlSessionProvider, role: string, work: (c: SqlClient) => Promise<T>): Promise<T> {
  return withSession(async (client) => {
    await client.query('begin');
    try {
      await client.query(`set local role ${q(role)}`);
      let n = 0;
      const tenant: SqlClient = {
        async query<R>(text: string, params?: unknown[]) {
          const savepoint = `s${n++}`;
          await client.query(`savepoint ${savepoint}`);
          try {
            const result = await client.query<R>(text, params);
            await client.query(`release savepoint ${savepoint}`);
            return result;
          } catch (error) {
            await client.query(`rollback to savepoint ${savepoint}`);
            throw error;
          }
        },
      };
      const result = await work(tenant);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
  });
}

/** A login as the tenant's role with the connection ensure returned. */
async function loggedIn<T>(conn: TenantDatabaseConnection, work: (c: SqlClient) => Promise<T>): Promise<T> {
  const client = new pg.Client(conn);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const TARGETS: Target[] = [
  {
    name: 'EmbeddedTenantDatabase on PGlite',
    embedded: true,
    async open() {
      const database = await openTestDatabase('pglite');
      const driver = new EmbeddedTenantDatabase(sqlSession(database.db));
      // No other control plane shares an embedded database; a prefix works all the same.
      return { database, driver, prefix: 'cp1_', close: () => database.close() };
    },
  },
  ...(HAS_SERVER
    ? [
        {
          name: 'EmbeddedTenantDatabase over the server pool (sqlSession on the pg dialect)',
          embedded: true,
          async open() {
            const database = await openTestDatabase('postgres');
            const driver = new EmbeddedTenantDatabase(sqlSession(database.db));
            return { database, driver, prefix: tenantNamePrefixFor(database.url as string), close: () => database.close() };
          },
        },
        {
          name: 'PostgresTenantDatabase on the server',
          embedded: false,
          async open() {
            const database = await openTestDatabase('postgres');
            const driver = new PostgresTenantDatabase({ adminUrl: database.url as string, poolSize: 4 });
            return {
              database,
              driver,
              prefix: tenantNamePrefixFor(database.url as string),
              async close() {
                await driver.close();
                await database.close();
              },
            };
          },
        },
      ]
    : []),
];

describe.each(TARGETS)('$name', (target) => {
  let opened: Awaited<ReturnType<Target['open']>>;
  let driver: TenantDatabaseDriver;
  let session: SqlSessionProvider;
  let prefix: string;
  let a: TenantDatabaseSpec;
  let b: TenantDatabaseSpec;
  let connA: TenantDatabaseConnection;
  let connB: TenantDatabaseConnection;

  const spec = (slug: string, isolation: TenantDatabaseSpec['isolation'] = 'SCHEMA_PER_TENANT', tenantId = randomUUID()) =>
    tenantDatabaseSpec(tenantId, slug, isolation, prefix);
  const admin = <R>(text: string, params?: unknown[]) => session((c) => c.query<R>(text, params)).then((r) => r.rows);
  const count = async (from: string) => Number((await admin<{ n: string }>(`select count(*) as n from ${from}`))[0]?.n);
  const schemasPresent = async (s: TenantDatabaseSpec) => count(`pg_namespace where nspname = any(array[${s.schemas.map((n) => `'${n}'`).join(', ')}])`);
  const roleExists = async (role: string) => (await count(`pg_roles where rolname = '${role}'`)) === 1;
  /** As the tenant: a login on the server driver, SET ROLE on the embedded one. */
  const asTenant = <T>(s: TenantDatabaseSpec, conn: TenantDatabaseConnection, work: (c: SqlClient) => Promise<T>) =>
    target.embedded ? asRole(session, s.role, work) : loggedIn(conn, work);

  beforeAll(async () => {
    opened = await target.open();
    driver = opened.driver;
    prefix = opened.prefix;
    session = sqlSession(opened.database.db);
    a = spec('tenant-a');
    b = spec('tenant-b');
    connA = await driver.ensure(a, PASSWORD);
    connB = await driver.ensure(b, `${PASSWORD}-b`);
  });

  afterAll(async () => {
    await opened?.close();
  });

  it('provisions nine schemas, a login role, the migrations and the seed data; verify passes', async () => {
    expect(await driver.observe(a)).toEqual({ rolePresent: true, databasePresent: false, schemasPresent: [...a.schemas].sort(), migrationVersion: LATEST_TENANT_MIGRATION });
    expect(await schemasPresent(a)).toBe(9);
    const [role] = await admin('select rolcanlogin, rolinherit, rolcreatedb, rolcreaterole, rolsuper, rolconnlimit from pg_roles where rolname = $1', [a.role]);
    expect(role).toEqual({ rolcanlogin: true, rolinherit: false, rolcreatedb: false, rolcreaterole: false, rolsuper: false, rolconnlimit: 20 });
    const [database] = await admin<{ name: string }>('select current_database() as name');
    expect(connA).toMatchObject({ database: database?.name, user: a.role, password: PASSWORD });
    if (target.embedded) expect(connA).toMatchObject({ host: 'embedded', port: 0 });

    await asTenant(a, connA, async (c) => {
      const ai = q(schemaOf(a, 'ai'));
      await c.query(`create table ${ai}.notes (id serial primary key, body text)`);
      await c.query(`insert into ${ai}.notes (body) values ('hello')`);
      expect((await c.query(`select body from ${ai}.notes`)).rows).toEqual([{ body: 'hello' }]);
      expect((await c.query(`select key from ${q(schemaOf(a, 'bi'))}.dashboard_templates`)).rows).toHaveLength(DEFAULT_DASHBOARD_TEMPLATES.length);
      const roles = await c.query<{ name: string }>(`select name from ${q(schemaOf(a, 'governance'))}.system_roles order by name`);
      expect(roles.rows.map((r) => r.name)).toEqual(DEFAULT_ROLES.map((r) => r.name).sort());
      const configured = await c.query(`select key from ${q(schemaOf(a, 'ai'))}.configuration`);
      expect(configured.rows).toHaveLength(DEFAULT_CONFIGURATION.filter((e) => e.service === 'ai').length);
    });
    await driver.verify(connA, a);
    await driver.verify(connB, b);
  });

  it('names roles with the prefix, schemas without', async () => {
    expect(a.role).toBe(`${prefix}tenant_a_app`);
    expect(a.schemas).toContain('tenant_a_governance');
    expect(await roleExists(`${prefix}tenant_a_app`)).toBe(true);
    expect(await roleExists('tenant_a_app')).toBe(false);
  });

  it("isolates tenants: A cannot read or create in B's schemas, read control-plane tables, or gain rights", async () => {
    await asTenant(a, connA, async (c) => {
      expect(await codeOf(c.query(`select * from ${q(schemaOf(b, 'governance'))}.system_roles`))).toBe('42501');
      expect(await codeOf(c.query(`create table ${q(schemaOf(b, 'ai'))}.stolen (id int)`))).toBe('42501');
      expect(await codeOf(c.query('select * from tenants'))).toBe('42501');
      expect(await codeOf(c.query('create table public.squat (id int)'))).toBe('42501');
      expect(await codeOf(c.query(`create role ${q(`${prefix}evil`)}`))).toBe('42501');
      expect(await codeOf(c.query(`alter role ${q(a.role)} createdb`))).toBe('42501');
      expect(await codeOf(c.query(`drop schema ${q(schemaOf(a, 'ml'))}`))).toBe('42501');
      expect(await codeOf(c.query(`delete from ${q(schemaOf(a, 'governance'))}.schema_version`))).toBe('42501');
    });
    await asTenant(b, connB, async (c) => {
      expect(await codeOf(c.query(`select * from ${q(schemaOf(a, 'ai'))}.notes`))).toBe('42501');
      expect(await codeOf(c.query(`select * from ${q(schemaOf(a, 'bi'))}.dashboard_templates`))).toBe('42501');
    });
  });

  it('ensure twice changes nothing: same observation, no duplicated seed rows, tenant edits kept', async () => {
    const gov = q(schemaOf(a, 'governance'));
    const before = await driver.observe(a);
    const rows = async () => [await count(`${gov}.system_roles`), await count(`${q(schemaOf(a, 'bi'))}.dashboard_templates`), await count(`${gov}.schema_version`)];
    const seeded = await rows();
    expect(seeded).toEqual([DEFAULT_ROLES.length, DEFAULT_DASHBOARD_TEMPLATES.length, LATEST_TENANT_MIGRATION]);
    await asTenant(a, connA, (c) => c.query(`update ${q(schemaOf(a, 'query'))}.configuration set value = '90' where key = 'timeout.seconds'`));
    expect(await driver.ensure(a, PASSWORD)).toEqual(connA);
    expect(await driver.observe(a)).toEqual(before);
    expect(await rows()).toEqual(seeded);
    expect(await admin(`select value from ${q(schemaOf(a, 'query'))}.configuration where key = 'timeout.seconds'`)).toEqual([{ value: 90 }]);
    await driver.verify(connA, a);
  });

  it("drop removes exactly what ensure made, nothing of another tenant's, and ensure re-provisions cleanly", async () => {
    const c = spec('tenant-c');
    const d = spec('tenant-d');
    const connD = await driver.ensure(d, PASSWORD);
    await asTenant(d, connD, (s) => s.query(`insert into ${q(schemaOf(d, 'bi'))}.dashboards (name) values ('kept')`));
    const connC = await driver.ensure(c, PASSWORD);
    await asTenant(c, connC, (s) => s.query(`create table ${q(schemaOf(c, 'ml'))}.models (id int)`));

    await driver.drop(c);
    expect(await schemasPresent(c)).toBe(0);
    expect(await roleExists(c.role)).toBe(false);
    expect(await count(`pg_default_acl where defaclacl::text like '%${c.role}%'`)).toBe(0);
    expect(await driver.observe(c)).toEqual({ rolePresent: false, databasePresent: false, schemasPresent: [], migrationVersion: null });
    await driver.drop(c); // absent is success

    expect(await schemasPresent(d)).toBe(9);
    expect(await roleExists(d.role)).toBe(true);
    expect(await count(`${q(schemaOf(d, 'bi'))}.dashboards`)).toBe(1);
    await driver.verify(connD, d);

    const again = await driver.ensure(c, PASSWORD);
    expect(await driver.observe(c)).toMatchObject({ rolePresent: true, migrationVersion: LATEST_TENANT_MIGRATION });
    expect(await count(`${q(schemaOf(c, 'governance'))}.system_roles`)).toBe(DEFAULT_ROLES.length);
    await driver.verify(again, c);
    await driver.drop(c);
    await driver.drop(d);
    expect(await roleExists(d.role)).toBe(false);
    expect(await schemasPresent(d)).toBe(0);
    // A and B untouched.
    expect(await driver.observe(a)).toMatchObject({ rolePresent: true, schemasPresent: [...a.schemas].sort() });
    expect(await driver.observe(b)).toMatchObject({ rolePresent: true, schemasPresent: [...b.schemas].sort() });
  });

  it("refuses to adopt or drop objects marked as another tenant's (a reused slug)", async () => {
    const first = spec('tenant-r');
    await driver.ensure(first, PASSWORD);
    const reused = { ...first, tenantId: randomUUID() };
    expect((await permanentError(driver.ensure(reused, PASSWORD))).message).toContain('is not tenant');
    await permanentError(driver.drop(reused));
    expect(await schemasPresent(first)).toBe(9);
    await driver.drop(first);
    expect(await roleExists(first.role)).toBe(false);
  });

  it('offers the isolations it can give', () => {
    expect([...driver.isolations].sort()).toEqual(target.embedded ? ['SCHEMA_PER_TENANT'] : ['DATABASE_PER_TENANT', 'SCHEMA_PER_TENANT']);
  });

  if (target.embedded) {
    it('refuses DATABASE_PER_TENANT with a clear permanent error, before any SQL runs', async () => {
      const enterprise = spec('tenant-e', 'DATABASE_PER_TENANT');
      const refused = [
        await permanentError(driver.ensure(enterprise, PASSWORD)),
        await permanentError(driver.observe(enterprise)),
        await permanentError(driver.verify({ ...connA, user: enterprise.role }, enterprise)),
        await permanentError(driver.drop(enterprise)),
      ];
      for (const error of refused) expect(error.message).toMatch(/DATABASE_PER_TENANT needs a PostgreSQL server.*SCHEMA_PER_TENANT only/);
      expect(await roleExists(enterprise.role)).toBe(false);
      expect(await count(`pg_database where datname = '${enterprise.database}'`)).toBe(0);
    });

    it('checks every name before any SQL runs (a session provider that must not be called)', async () => {
      const noSql = new EmbeddedTenantDatabase(() => Promise.reject(new Error('no SQL may run')));
      const good = spec('tenant-q');
      const evil: TenantDatabaseSpec[] = [
        { ...good, schemas: [...good.schemas.slice(1), `${good.schemas[0]}"; drop table tenants; --`] },
        { ...good, role: `${good.role}' superuser; --` },
        { ...good, schemas: [...good.schemas, 'public'] },
        { ...good, schemas: good.schemas.filter((s) => !s.endsWith('_governance')) },
      ];
      for (const s of evil) {
        for (const d of [noSql, driver]) {
          await permanentError(d.observe(s));
          await permanentError(d.ensure(s, PASSWORD));
          await permanentError(d.drop(s));
          await permanentError(d.verify({ ...connA, user: s.role }, s));
        }
      }
      expect(await count('tenants')).toBe(0); // still there
    });

    it("verify checks the role's password against its stored verifier, and leaves the session as it found it", async () => {
      expect((await permanentError(driver.verify({ ...connA, password: `${PASSWORD}x` }, a))).message).not.toContain(PASSWORD);
      await permanentError(driver.verify(connB, a)); // B's connection is not A's
      await permanentError(driver.verify({ ...connA, user: `${prefix}nobody_app` }, { ...a, role: `${prefix}nobody_app` }));

      // A failing probe (a seeded table gone) rolls back: the session is the admin's, with no transaction open.
      const gov = q(schemaOf(a, 'governance'));
      await admin(`alter table ${gov}.system_roles rename to system_roles_away`);
      await expect(driver.verify(connA, a)).rejects.toThrow(DriverError);
      expect(await admin('select current_user = session_user as back, (select count(*) from pg_class where relname = $1)::int as probes', ['matih_verify_probe'])).toEqual([{ back: true, probes: 0 }]);
      await admin(`alter table ${gov}.system_roles_away rename to system_roles`);
      await driver.verify(connA, a);
      // No transaction left open: SAVEPOINT works only inside one.
      for (let i = 0; i < 3; i++) expect(await codeOf(admin('savepoint left_open'))).toBe('25P01');
    });
  }
});

describe('scramVerifierMatches', () => {
  it("accepts the password a verifier was made from and nothing else", () => {
    const verifier = scramSha256Verifier(PASSWORD);
    expect(scramVerifierMatches(verifier, PASSWORD)).toBe(true);
    expect(scramVerifierMatches(verifier, `${PASSWORD}x`)).toBe(false);
    expect(scramVerifierMatches(verifier, 'pässwörd')).toBe(false);
    expect(scramVerifierMatches(null, PASSWORD)).toBe(false);
    expect(scramVerifierMatches('md5d41d8cd98f00b204e9800998ecf8427e', PASSWORD)).toBe(false);
  });
});

describe.each(BACKENDS)('sqlSession on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('runs text as is: parameters, scripts of several statements, no column renaming by the plugins', async () => {
    const session = sqlSession(database.db);
    const rows = await session((c) => c.query<{ snake_case: number }>('select $1::int as snake_case', [7]));
    expect(rows.rows).toEqual([{ snake_case: 7 }]);
    await session((c) => c.query('create table session_probe (id int); insert into session_probe values (1); insert into session_probe values (2)'));
    expect((await session((c) => c.query<{ n: number }>('select count(*)::int as n from session_probe'))).rows).toEqual([{ n: 2 }]);
    await session((c) => c.query('drop table session_probe'));
  });

  it('gives one session for the whole call: a transaction in it is its own', async () => {
    const session = sqlSession(database.db);
    const pids = await session(async (c) => {
      const first = await c.query<{ pid: number }>('select pg_backend_pid() as pid');
      await c.query('begin');
      await c.query('create temporary table mine (id int) on commit drop');
      const second = await c.query<{ pid: number }>('select pg_backend_pid() as pid');
      await c.query('commit');
      return [first.rows[0]?.pid, second.rows[0]?.pid];
    });
    expect(pids[0]).toBe(pids[1]);
  });

  it('rolls back a transaction the work left open when it fails', async () => {
    const session = sqlSession(database.db);
    await session((c) => c.query('create table session_left_open (id int)'));
    const failure = session(async (c) => {
      await c.query('begin');
      await c.query('insert into session_left_open values (1)');
      throw new Error('work failed');
    });
    await expect(failure).rejects.toThrow('work failed');
    // Whatever connection comes next is not inside that transaction, and the insert is gone.
    for (let i = 0; i < 3; i++) {
      expect((await session((c) => c.query<{ n: number }>('select count(*)::int as n from session_left_open'))).rows).toEqual([{ n: 0 }]);
    }
    await session((c) => c.query('drop table session_left_open'));
  });

  it('satisfies the drivers\u2019 SqlClient: a pg Client and the session client are interchangeable', () => {
    const accept = (_client: SqlClient) => undefined;
    accept(new pg.Client());
    const provider: SqlSessionProvider = sqlSession(database.db);
    expect(typeof provider).toBe('function');
  });
});
