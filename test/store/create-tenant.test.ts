import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateNewTenant } from '../../src/domain/tenant-validation.js';
import { CLOUD_PROVIDERS } from '../../src/domain/cloud.js';
import { generateApiKey } from '../../src/iam/api-key-format.js';
import { CREATE_TENANT_WRITES, createTenant } from '../../src/store/tenants/create-tenant.js';
import type { Db } from '../../src/store/open-database.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import { tenantBody } from '../support/test-app.js';

const TABLES = [
  'tenants', 'users', 'billing_subscriptions', 'roles', 'user_roles', 'tenant_settings', 'api_keys',
  'tenant_provisioning_jobs', 'tenant_provisioning_state', 'provisioning_audit_logs', 'outbox',
] as const;

async function countRows(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const result = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
    counts[table] = result.rows[0]?.n ?? -1;
  }
  return counts;
}

function newTenant() {
  return validateNewTenant(tenantBody() as never, { enabledCloudProviders: CLOUD_PROVIDERS });
}

describe('control-plane tier transaction', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it('writes the tenant, admin user, subscription, three roles, settings, key hash, pending job and event', async () => {
    const before = await countRows(database.db);
    const key = generateApiKey();
    const created = await createTenant(database.db, { tenant: newTenant(), actor: 'test', apiKey: { id: key.id, secretHash: key.secretHash } });
    const after = await countRows(database.db);
    expect(after).toEqual({
      tenants: before.tenants! + 1,
      users: before.users! + 1,
      billing_subscriptions: before.billing_subscriptions! + 1,
      roles: before.roles! + 3,
      user_roles: before.user_roles! + 1,
      tenant_settings: before.tenant_settings! + 1,
      api_keys: before.api_keys! + 1,
      tenant_provisioning_jobs: before.tenant_provisioning_jobs! + 1,
      tenant_provisioning_state: before.tenant_provisioning_state! + 1,
      provisioning_audit_logs: before.provisioning_audit_logs! + 2,
      outbox: before.outbox! + 1,
    });

    const { db } = database;
    const job = await db.selectFrom('tenantProvisioningJobs').selectAll().where('tenantId', '=', created.tenant.id).executeTakeFirstOrThrow();
    expect(job).toMatchObject({ id: created.jobId, status: 'PENDING', currentState: 'CREATING_TENANT_RECORD', retryCount: 0, maxRetries: 3, initiatedBy: 'test' });
    expect(job.context).toMatchObject({ completedStates: ['VALIDATING_INPUT', 'CREATING_TENANT_RECORD'] });

    const storedKey = await db.selectFrom('apiKeys').selectAll().where('id', '=', key.id).executeTakeFirstOrThrow();
    expect(storedKey.secretHash).toBe(key.secretHash);
    // Only the hash is stored: the key's secret appears nowhere in the row.
    expect(JSON.stringify(storedKey)).not.toContain(key.token.slice(-43));

    const roles = await db.selectFrom('roles').select('name').where('tenantId', '=', created.tenant.id).orderBy('name').execute();
    expect(roles.map((r) => r.name)).toEqual(['Admin', 'Analyst', 'Viewer']);

    const subscription = await db.selectFrom('billingSubscriptions').selectAll().where('tenantId', '=', created.tenant.id).executeTakeFirstOrThrow();
    expect(subscription).toMatchObject({ planId: 'professional-monthly', status: 'TRIALING' });

    const event = await db.selectFrom('outbox').selectAll().where('aggregateId', '=', created.tenant.id).executeTakeFirstOrThrow();
    expect(event.type).toBe('tenant.created');
    expect(event.deliveredAt).toBeNull();
  });

  it.each(CREATE_TENANT_WRITES)('a failure right after writing %s leaves nothing behind', async (write) => {
    const before = await countRows(database.db);
    const key = generateApiKey();
    const boom = new Error(`injected after ${write}`);
    await expect(
      createTenant(database.db, {
        tenant: newTenant(),
        actor: 'test',
        apiKey: { id: key.id, secretHash: key.secretHash },
        afterWrite: (w) => {
          if (w === write) throw boom;
        },
      }),
    ).rejects.toBe(boom);
    expect(await countRows(database.db)).toEqual(before);
  });

  it('a write refused late in the statement (the API key id taken) leaves nothing behind', async () => {
    const key = generateApiKey();
    await createTenant(database.db, { tenant: newTenant(), actor: 'test', apiKey: { id: key.id, secretHash: key.secretHash } });
    const before = await countRows(database.db);
    // No hooks: the path every request takes. The key is written after the tenant, user, roles...
    await expect(createTenant(database.db, { tenant: newTenant(), actor: 'test', apiKey: { id: key.id, secretHash: key.secretHash } })).rejects.toMatchObject({
      code: '23505',
      constraint: 'api_keys_pkey',
    });
    expect(await countRows(database.db)).toEqual(before);
  });

  /** An error as node-postgres reports a SQLSTATE. */
  const sqlError = (code: string) => Object.assign(new Error(`injected ${code}`), { code });

  it('runs the transaction again, once, after a serialization failure, and creates the tenant once', async () => {
    const before = await countRows(database.db);
    const key = generateApiKey();
    const writes: string[] = [];
    const created = await createTenant(database.db, {
      tenant: newTenant(),
      actor: 'test',
      apiKey: { id: key.id, secretHash: key.secretHash },
      afterWrite: (w) => {
        writes.push(w);
        if (w === 'apiKey' && writes.filter((x) => x === 'apiKey').length === 1) throw sqlError('40001');
      },
    });
    expect(writes.filter((w) => w === 'tenant')).toHaveLength(2);
    const after = await countRows(database.db);
    expect(after.tenants).toBe((before.tenants ?? 0) + 1);
    expect(await database.db.selectFrom('tenantProvisioningJobs').select('id').where('tenantId', '=', created.tenant.id).execute()).toEqual([{ id: created.jobId }]);
  });

  it('gives up after the second transient failure, never a third, and leaves nothing behind', async () => {
    const before = await countRows(database.db);
    const key = generateApiKey();
    let attempts = 0;
    const second = sqlError('40P01');
    await expect(
      createTenant(database.db, {
        tenant: newTenant(),
        actor: 'test',
        apiKey: { id: key.id, secretHash: key.secretHash },
        afterWrite: (w) => {
          if (w !== 'tenant') return;
          attempts++;
          throw attempts === 1 ? sqlError('40001') : second;
        },
      }),
    ).rejects.toBe(second);
    expect(attempts).toBe(2);
    expect(await countRows(database.db)).toEqual(before);
  });

  it('never runs again after a constraint violation', async () => {
    const key = generateApiKey();
    let attempts = 0;
    await expect(
      createTenant(database.db, {
        tenant: newTenant(),
        actor: 'test',
        apiKey: { id: key.id, secretHash: key.secretHash },
        afterWrite: (w) => {
          if (w !== 'tenant') return;
          attempts++;
          throw sqlError('23514');
        },
      }),
    ).rejects.toMatchObject({ code: '23514' });
    expect(attempts).toBe(1);
  });

  it('reports which unique field collided, and writes nothing for the loser', async () => {
    const first = newTenant();
    const key = generateApiKey();
    await createTenant(database.db, { tenant: first, actor: 'test', apiKey: { id: key.id, secretHash: key.secretHash } });
    const before = await countRows(database.db);
    const cases = [
      { ...newTenant(), slug: first.slug, field: 'slug' },
      { ...newTenant(), name: first.name.toUpperCase(), field: 'name' },
      { ...newTenant(), adminEmail: first.adminEmail.toUpperCase(), field: 'adminEmail' },
    ];
    for (const { field, ...tenant } of cases) {
      const k = generateApiKey();
      await expect(createTenant(database.db, { tenant, actor: 'test', apiKey: { id: k.id, secretHash: k.secretHash } })).rejects.toMatchObject({
        kind: 'CONFLICT',
        field,
      });
    }
    expect(await countRows(database.db)).toEqual(before);
  });
});
