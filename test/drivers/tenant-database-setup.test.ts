import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROLES } from '../../src/domain/roles.js';
import { tenantDatabasePlan } from '../../src/domain/tenant-database.js';
import { DriverError, type TenantDatabaseSpec } from '../../src/drivers/contract.js';
import { PostgresTenantDatabase } from '../../src/drivers/database/postgres-tenant-database.js';
import { DEFAULT_DASHBOARD_TEMPLATES } from '../../src/drivers/database/seed.js';
import { TENANT_MIGRATIONS } from '../../src/drivers/database/tenant-migrations.js';
import { createServerDatabase, dropServerDatabase, tenantNamePrefixFor } from '../support/databases.js';

/**
 * Setting tenants' databases up at once, and again after a setup that was cut short: what the
 * engine relies on to run SETUP_DATABASE of many tenants in parallel and to re-run it after a
 * crash. The shared database here grants PUBLIC no CONNECT, so every tenant must get it.
 */

const LATEST = TENANT_MIGRATIONS.at(-1)?.version;
const PASSWORD = `pw-${randomBytes(18).toString('base64url')}`;
const q = (name: string) => `"${name}"`;
const schemaOf = (s: TenantDatabaseSpec, suffix: string) => s.schemas.find((name) => name.endsWith(`_${suffix}`)) as string;

describe('PostgresTenantDatabase: concurrent and resumed setups', () => {
  let url: string;
  let prefix: string;
  let admin: pg.Client;
  let driver: PostgresTenantDatabase;
  let serverVersion: number;
  const spec = (slug: string): TenantDatabaseSpec => tenantDatabasePlan(randomUUID(), slug, 'SCHEMA_PER_TENANT', prefix);
  const one = async <T>(sql: string, params: unknown[] = []) => (await admin.query(sql, params)).rows[0] as T;

  beforeAll(async () => {
    url = await createServerDatabase();
    prefix = tenantNamePrefixFor(url);
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const database = new URL(url).pathname.slice(1);
    await admin.query(`revoke connect on database ${q(database)} from public`);
    serverVersion = (await one<{ v: number }>("select current_setting('server_version_num')::int as v")).v;
    driver = new PostgresTenantDatabase({ adminUrl: url, poolSize: 8 });
  });

  afterAll(async () => {
    await driver?.close();
    await admin?.end();
    if (url) await dropServerDatabase(url);
  });

  it('sets up eight tenants at once without a collision; each can log in, and none rewrote the shared database row', async () => {
    const specs = Array.from({ length: 8 }, (_, i) => spec(`par-${i}`));
    const aclBefore = await one<{ acl: string | null }>('select datacl::text as acl from pg_database where datname = current_database()');
    // Once: the connect group (or, before PostgreSQL 16, the first grant) may write the row.
    await driver.ensure(spec('par-first'), PASSWORD);
    const aclAfterFirst = await one<{ acl: string | null; xmin: string }>('select datacl::text as acl, xmin::text from pg_database where datname = current_database()');
    expect(aclAfterFirst.acl).not.toBe(aclBefore.acl);

    const settled = await Promise.allSettled(specs.map((s) => driver.ensure(s, PASSWORD)));
    const failures = settled.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(failures).toEqual([]);
    for (const [i, s] of specs.entries()) {
      const connection = (settled[i] as PromiseFulfilledResult<Awaited<ReturnType<PostgresTenantDatabase['ensure']>>>).value;
      await driver.verify(connection, s);
      expect(await driver.observe(s)).toMatchObject({ rolePresent: true, migrationVersion: LATEST });
    }
    if (serverVersion >= 160000) {
      // The row was not written again: the tenants connect as members of the group, whose grant it holds.
      const now = await one<{ acl: string | null; xmin: string }>('select datacl::text as acl, xmin::text from pg_database where datname = current_database()');
      expect(now).toEqual(aclAfterFirst);
      const members = await admin.query<{ rolname: string }>(
        `select r.rolname from pg_auth_members m join pg_roles r on r.oid = m.member
          where m.roleid = $1::regrole and m.inherit_option and not m.set_option order by 1`,
        [specs[0]?.connectGroup],
      );
      expect(members.rows.map((r) => r.rolname)).toEqual(expect.arrayContaining(specs.map((s) => s.role)));
      // The tenant role still inherits from nothing else, and cannot become the group.
      const role = await one<{ rolinherit: boolean }>('select rolinherit from pg_roles where rolname = $1', [specs[0]?.role]);
      expect(role.rolinherit).toBe(false);
    }
    await Promise.all(specs.map((s) => driver.drop(s)));
  });

  it("refuses, permanently, a connect group that is not ours: its members would inherit what it holds", async () => {
    if (serverVersion < 160000) return; // no group before PostgreSQL 16: each role is granted CONNECT itself
    const group = `${prefix}foreign_group`;
    await admin.query(`create role ${q(group)} nologin`);
    const s = { ...spec('foreign'), connectGroup: group };
    const error = await driver.ensure(s, PASSWORD).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).retryable).toBe(false);
    expect((error as DriverError).message).toContain('is not the tenants\' connect group');
    // Nothing of the tenant was left: the refusal rolled its setup back.
    expect(await driver.observe(s)).toMatchObject({ rolePresent: false, schemasPresent: [] });
  });

  it('a setup cut short (its session killed mid-script) leaves nothing behind, and the next ensure completes it', async () => {
    const s = spec('cut-short');
    const versionTable = `${q(schemaOf(s, 'governance'))}.schema_version`;
    // Hold the tenant's migration lock, so that its script stops half-way, after the role and the schemas.
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    await blocker.query('select pg_advisory_lock(724002, hashtext($1))', [versionTable]);
    const ensuring = driver.ensure(s, PASSWORD).then(
      () => undefined,
      (e: unknown) => e,
    );
    let pid: number | undefined;
    for (let i = 0; i < 200 && pid === undefined; i++) {
      const waiting = await admin.query<{ pid: number }>(
        `select pid from pg_stat_activity where application_name = 'matih-tenant-database' and wait_event_type = 'Lock' and datname = current_database()`,
      );
      pid = waiting.rows[0]?.pid;
      if (pid === undefined) await new Promise((r) => setTimeout(r, 25));
    }
    expect(pid).toBeDefined();
    await admin.query('select pg_terminate_backend($1)', [pid]);
    const error = await ensuring;
    await blocker.end();
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).retryable).toBe(true);
    expect(await driver.observe(s)).toEqual({ rolePresent: false, databasePresent: false, schemasPresent: [], migrationVersion: null });

    const connection = await driver.ensure(s, PASSWORD);
    await driver.verify(connection, s);
    expect(await driver.observe(s)).toMatchObject({ rolePresent: true, schemasPresent: [...s.schemas].sort(), migrationVersion: LATEST });
    await driver.drop(s);
  });

  it('resumes from what an older, statement-by-statement setup left: an unmarked role, some schemas, the first migration only', async () => {
    const s = spec('resumed');
    const bi = q(schemaOf(s, 'bi'));
    const gov = q(schemaOf(s, 'governance'));
    await admin.query(`create role ${q(s.role)} login noinherit`);
    await admin.query(`create schema ${bi}; create schema ${gov}`);
    await admin.query(`create table ${gov}.schema_version (version integer primary key, name text not null, applied_at timestamptz not null default now())`);
    const first = TENANT_MIGRATIONS[0];
    if (!first) throw new Error('no migration');
    await admin.query(first.sql({ bi, governance: gov, ai: q(schemaOf(s, 'ai')), query: q(schemaOf(s, 'query')) }));
    await admin.query(`insert into ${gov}.schema_version (version, name) values ($1, $2)`, [first.version, first.name]);
    await admin.query(`insert into ${bi}.dashboard_templates (key, name, description, definition) values ('kept', 'Kept', 'a tenant row', '{}')`);

    const connection = await driver.ensure(s, PASSWORD);
    await driver.verify(connection, s);
    expect(await driver.observe(s)).toEqual({ rolePresent: true, databasePresent: false, schemasPresent: [...s.schemas].sort(), migrationVersion: LATEST });
    const versions = await admin.query<{ version: number }>(`select version from ${gov}.schema_version order by version`);
    expect(versions.rows.map((r) => r.version)).toEqual(TENANT_MIGRATIONS.map((m) => m.version));
    expect(Number((await one<{ n: string }>(`select count(*) as n from ${bi}.dashboard_templates`)).n)).toBe(DEFAULT_DASHBOARD_TEMPLATES.length + 1);
    expect(Number((await one<{ n: string }>(`select count(*) as n from ${gov}.system_roles`)).n)).toBe(DEFAULT_ROLES.length);
    // Adopted: role and schemas now carry the tenant's mark, so a reused slug would be refused.
    expect((await one<{ c: string }>(`select shobj_description(oid, 'pg_authid') as c from pg_roles where rolname = $1`, [s.role])).c).toBe(`matih tenant ${s.tenantId}`);
    await driver.drop(s);
  });
});
