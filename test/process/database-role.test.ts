import { afterAll, describe, expect, it } from 'vitest';
import { createServerDatabase, dropServerDatabase, tenantNamePrefixFor, withServer } from '../support/databases.js';
import { expectAllActive, statusOf } from '../support/process-tenants.js';
import { ServiceProcesses, httpJson } from '../support/service-process.js';
import { tenantBody } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The database role docs/operations.md ("Install with the chart on an existing PostgreSQL") tells
 * operators to make: not a superuser, only LOGIN, CREATEROLE and CREATEDB, owner of the control
 * plane's database. With it as both DATABASE_URL and (unset TENANT_DATABASE_URL) the tenant
 * databases' administrator, the service migrates its schema, provisions a tenant whose schemas
 * live in that database and an Enterprise tenant with a database of its own, and deletes one.
 */

const processes = new ServiceProcesses();
afterAll(async () => {
  await processes.cleanup();
});

describe('the control plane on a database role that is not a superuser', () => {
  it('migrates, provisions shared-schema and dedicated-database tenants, and deletes one', async () => {
    const url = await createServerDatabase();
    const database = new URL(url).pathname.slice(1);
    // Named with the test database's prefix, so that the clean-up finds it with the tenants' roles.
    const role = `${tenantNamePrefixFor(url)}matih`;
    const password = 'a-password-for-the-role-test-0123';
    try {
      await withServer(async (client) => {
        await client.query(`create role ${role} login password '${password}' createrole createdb`);
        await client.query(`alter database ${database} owner to ${role}`);
        // No createrole_self_grant: on PostgreSQL 16+ the role is then no member of the tenant
        // roles it creates, and deleting a tenant must still be able to DROP OWNED BY them.
      });
      const asRole = new URL(url);
      asRole.username = role;
      asRole.password = password;
      const env = { DATABASE_URL: asRole.toString(), MATIH_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'), MATIH_BOOTSTRAP_TOKEN: 'mtb_database-role-test-token-01234567', MATIH_TENANT_DB_PREFIX: tenantNamePrefixFor(url), MATIH_RATE_LIMIT_PER_CREDENTIAL: '0' };
      const token = env.MATIH_BOOTSTRAP_TOKEN;
      const service = await processes.start({ env });

      const ids: string[] = [];
      for (const tier of ['PROFESSIONAL', 'ENTERPRISE']) {
        const res = await httpJson<{ id: string }>(`${service.tenantUrl}/api/v1/tenants`, { method: 'POST', token, body: tenantBody({ tier }) });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        ids.push(res.body.id);
      }
      await expectAllActive(service, token, ids);
      const madeOnServer = () =>
        withServer(async (client) => {
          const prefix = tenantNamePrefixFor(url);
          const databases = await client.query(`select 1 from pg_database where left(datname, length($1)) = $1`, [prefix]);
          const roles = await client.query(`select 1 from pg_roles where left(rolname, length($1)) = $1 and rolname <> $2 and rolcanlogin`, [prefix, role]);
          return { dedicatedDatabases: databases.rowCount, tenantRoles: roles.rowCount };
        });
      // The Enterprise tenant's own database, and one login role per tenant.
      expect(await madeOnServer()).toEqual({ dedicatedDatabases: 1, tenantRoles: 2 });

      for (const id of ids) {
        const request = await httpJson<{ confirmationCode: string }>(`${service.tenantUrl}/api/v1/tenants/${id}/deletion-requests`, { method: 'POST', token, body: {} });
        expect(request.status).toBe(201);
        const deletion = await httpJson(`${service.tenantUrl}/api/v1/tenants/${id}`, { method: 'DELETE', token, body: { confirmationCode: request.body.confirmationCode } });
        expect(deletion.status, JSON.stringify(deletion.body)).toBe(202);
      }
      for (const id of ids) {
        await waitFor(async () => ((await statusOf(service, token, id)).status === 'DELETED' ? true : undefined), 120_000, 'the tenant to be deleted').catch(async (error: unknown) => {
          const status = await statusOf(service, token, id).catch(() => undefined);
          throw new Error(`${(error as Error).message}: ${status?.job.status ?? '?'} ${JSON.stringify(status?.steps.filter((s) => s.status !== 'COMPLETED'))}`);
        });
      }
      // Their roles and the dedicated database are gone; the role made at install remains.
      expect(await madeOnServer()).toEqual({ dedicatedDatabases: 0, tenantRoles: 0 });
      expect((await service.stop()).code).toBe(0);
    } finally {
      await processes.killAll();
      // Databases first (the role owns them), then the tenants' roles, whose memberships this role
      // granted, then the role itself (dropServerDatabase).
      await withServer(async (client) => {
        const prefix = tenantNamePrefixFor(url);
        const databases = await client.query<{ name: string }>(`select datname as name from pg_database where left(datname, length($1)) = $1 or datname = $2`, [prefix, database]);
        for (const d of databases.rows) await client.query(`drop database if exists "${d.name}" with (force)`);
        const roles = await client.query<{ name: string }>(`select rolname as name from pg_roles where left(rolname, length($1)) = $1 and rolname <> $2`, [prefix, role]);
        for (const r of roles.rows) await client.query(`drop role if exists "${r.name}"`);
      }).catch(() => undefined);
      await dropServerDatabase(url);
    }
  }, 300_000);
});

