import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../src/api/problem.js';
import { EventType } from '../../src/domain/events.js';
import { NOTHING_LEFT, tenantFootprint } from '../support/footprint.js';
import { history, waitForJobEnd } from '../support/provisioning.js';
import { type CreatedTenantResponse, type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp } from '../support/test-app.js';

/**
 * spec/002 "Deletion": platform admin plus a one-time, expiring confirmation code; the audit logs
 * archived (and checksummed) before anything is deleted; releases, schemas, namespace, DNS zone,
 * then the record; a receipt of what was removed in the history; TENANT_DELETED.
 */

const LONG = 60_000;

describe('deleting a tenant', () => {
  let t: TestApp;
  let archiveDir: string;
  let tenant: CreatedTenantResponse;

  beforeAll(async () => {
    archiveDir = path.join(await import('node:os').then((os) => os.tmpdir()), `matih-deletion-${process.pid}-${Date.now()}`);
    t = await startTestApp({ engine: { archiveDir } });
    tenant = await createTenantViaApi(t.app, { tier: 'PROFESSIONAL' });
    expect((await waitForJobEnd(t.app, tenant.id, LONG)).job.status).toBe('SUCCEEDED');
  }, LONG);

  afterAll(async () => {
    await t.close();
  });

  const requestCode = async (headers: Record<string, string> = adminAuth) =>
    t.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenant.id}/deletion-requests`, headers });
  const del = (headers: Record<string, string>, payload?: Record<string, unknown>) =>
    t.app.inject({ method: 'DELETE', url: `/api/v1/tenants/${tenant.id}`, headers, ...(payload ? { payload } : {}) });
  const tenantStatus = async () => (await t.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenant.id}`, headers: adminAuth })).json<{ status: string }>().status;

  it('refuses without the platform-admin role, without a code, with a wrong, used or expired code, and touches nothing', async () => {
    const key = bearer(tenant.initialApiKey.key);
    expect((await requestCode(key)).statusCode).toBe(403);
    const issued = await requestCode();
    expect(issued.statusCode).toBe(201);
    expect(issued.headers['cache-control']).toBe('no-store');
    const { confirmationCode, expiresAt } = issued.json<{ confirmationCode: string; expiresAt: string }>();
    expect(confirmationCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    // Default lifetime: ten minutes.
    expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(new Date(expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000 + 1000);
    // The code is stored hashed only, and the audit row does not carry it.
    const stored = await t.database.db.selectFrom('tenantDeletionRequests').select('codeHash').where('tenantId', '=', tenant.id).execute();
    expect(JSON.stringify(stored)).not.toContain(confirmationCode);
    expect(JSON.stringify(await history(t.app, tenant.id))).not.toContain(confirmationCode);

    // A tenant admin with the right code: refused.
    expect((await del({ ...key, 'x-confirmation-code': confirmationCode })).statusCode).toBe(403);
    const missing = await del(adminAuth);
    expect(missing.statusCode).toBe(400);
    expect(missing.json<Problem>().errors?.[0]?.field).toBe('confirmationCode');
    const wrong = await del({ ...adminAuth, 'x-confirmation-code': 'AAAA-BBBB-CCCC' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json<Problem>().errors?.[0]).toMatchObject({ field: 'x-confirmation-code', in: 'headers' });

    // Expired: the same code a moment past its time.
    await t.database.db.updateTable('tenantDeletionRequests').set({ expiresAt: sql<Date>`now() - interval '1 second'` }).where('tenantId', '=', tenant.id).execute();
    const expired = await del(adminAuth, { confirmationCode });
    expect(expired.statusCode).toBe(400);
    expect(expired.json<Problem>().errors?.[0]?.field).toBe('confirmationCode');
    expect(expired.json<Problem>().errors?.[0]?.message).toContain('expired');

    // Nothing touched.
    expect(await tenantStatus()).toBe('ACTIVE');
    expect((await tenantFootprint(t, tenant)).objectCount).toBe(57);
    const jobs = await t.database.db.selectFrom('tenantProvisioningJobs').select('kind').where('tenantId', '=', tenant.id).execute();
    expect(jobs.map((j) => j.kind)).toEqual(['PROVISION']);
  });

  it(
    'with the right code: archives first, removes everything spec/002 lists, keeps a receipt, frees the slug',
    async () => {
      const before = await tenantFootprint(t, tenant);
      expect(before.database.schemasPresent.length).toBeGreaterThan(0);
      expect(before.dns).toEqual({ zone: true, delegation: true });
      const { confirmationCode } = (await requestCode()).json<{ confirmationCode: string }>();
      // People type codes loosely: lower case and no dashes are fine.
      const accepted = await del({ ...adminAuth, 'x-confirmation-code': confirmationCode.toLowerCase().replaceAll('-', '') });
      expect(accepted.statusCode).toBe(202);
      expect(accepted.json<{ status: string }>().status).toBe('DELETING');
      // From now on the tenant's own credentials are refused; the code cannot be used twice.
      expect((await t.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenant.id}`, headers: bearer(tenant.initialApiKey.key) })).statusCode).toBe(401);

      const done = await waitForJobEnd(t.app, tenant.id, LONG);
      expect(done.job).toMatchObject({ kind: 'DELETE', status: 'SUCCEEDED' });
      expect(done.steps.map((s) => s.name)).toEqual([
        'ARCHIVE_AUDIT_LOGS', 'DELETE_HELM_RELEASES', 'DELETE_TENANT_DATABASE', 'DELETE_NAMESPACE', 'DELETE_DNS_ZONE', 'DELETE_TENANT_RECORD',
      ]);
      expect(await tenantStatus()).toBe('DELETED');

      // Everything outside the control plane is gone: objects, schemas and role, zone and delegation.
      expect(await tenantFootprint(t, tenant)).toEqual(NOTHING_LEFT);
      // Asked of the catalogue directly as well.
      const client = new pg.Client({ connectionString: t.database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: number }>('select count(*)::int as n from pg_namespace where nspname like $1', [`${tenant.slug.replaceAll('-', '_')}%`]);
        expect(rows[0]?.n).toBe(0);
      } finally {
        await client.end();
      }

      // The archive: written before the first deletion, its checksum valid, the history inside.
      const receipt = (await history(t.app, tenant.id)).find((h) => h.trigger === 'job.succeeded' && h.details.kind === 'DELETE')?.details.receipt as {
        removed: Record<string, { removed?: string[]; archive?: string; sha256?: string; records?: number }>;
        recordDeleted: boolean;
      };
      expect(receipt.recordDeleted).toBe(true);
      const archived = receipt.removed.ARCHIVE_AUDIT_LOGS!;
      expect(archived.archive).toBe(path.join(archiveDir, 'tenants', tenant.id, `audit-${done.job.id}.jsonl`));
      const bytes = await readFile(archived.archive!);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(archived.sha256);
      expect((await readFile(`${archived.archive!}.sha256`, 'utf8')).split(/\s+/)[0]).toBe(archived.sha256);
      const lines = bytes.toString().trim().split('\n').map((l) => JSON.parse(l) as { type: string; trigger?: string });
      expect(lines[0]?.type).toBe('tenant');
      expect(lines.filter((l) => l.type === 'audit').map((l) => l.trigger)).toContain('job.succeeded');
      expect(lines.filter((l) => l.type === 'infrastructure_transition').length).toBeGreaterThan(5);
      expect(lines).toHaveLength(archived.records!);
      const archiveStep = await t.database.db
        .selectFrom('provisioningSteps')
        .select(['name', 'completedAt'])
        .where('jobId', '=', done.job.id)
        .orderBy('position')
        .execute();
      // Archived and recorded before the first teardown step began.
      expect(archiveStep[0]?.name).toBe('ARCHIVE_AUDIT_LOGS');

      // The receipt, per resource.
      expect(receipt.removed.DELETE_HELM_RELEASES?.removed?.filter((r) => r.startsWith('HelmRelease/'))).toHaveLength(17);
      expect(receipt.removed.DELETE_TENANT_DATABASE?.removed).toEqual(expect.arrayContaining([expect.stringMatching(/^schema /), expect.stringMatching(/^role /)]));
      expect(receipt.removed.DELETE_NAMESPACE?.removed).toContain(`Namespace/matih-${tenant.slug}`);
      expect(receipt.removed.DELETE_DNS_ZONE?.removed).toEqual(expect.arrayContaining([`zone ${tenant.slug}.matih.test`, `NS ${tenant.slug}.matih.test`]));

      // The control-plane data went; a tombstone and its history stay. TENANT_DELETED was published.
      const users = await t.database.db.selectFrom('users').select('id').where('tenantId', '=', tenant.id).execute();
      expect(users).toEqual([]);
      const keys = await t.database.db.selectFrom('apiKeys').select('id').where('tenantId', '=', tenant.id).execute();
      expect(keys).toEqual([]);
      const events = await t.database.db.selectFrom('outbox').select(['type']).where('aggregateId', '=', tenant.id).orderBy('id').execute();
      expect(events.map((e) => e.type).slice(-1)).toEqual([EventType.TENANT_DELETED]);
      expect(events.map((e) => e.type)).toContain(EventType.TENANT_DELETION_STARTED);
      const infra = await t.infra.inject({ method: 'GET', url: `/api/v1/infrastructure/tenants/${tenant.id}/transitions`, headers: adminAuth });
      if (infra.statusCode === 200) {
        expect(infra.json<{ items: { toState: string }[] }>().items.map((i) => i.toState).slice(-2)).toEqual(['DEPROVISIONING', 'DEPROVISIONED']);
      }

      // The tombstone keeps no personal data: name, slug and admin email are placeholders built
      // from the id, in the API and in the row; the archive (checked above) is their only copy.
      const tombstone = (await t.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenant.id}`, headers: adminAuth })).json<Record<string, unknown>>();
      expect(tombstone).toMatchObject({
        id: tenant.id,
        status: 'DELETED',
        tier: 'PROFESSIONAL',
        name: `Deleted tenant ${tenant.id}`,
        slug: `deleted-${tenant.id}`,
        adminEmail: `deleted-${tenant.id}@tombstone.invalid`,
      });
      const row = await t.database.db.selectFrom('tenants').selectAll().where('id', '=', tenant.id).executeTakeFirstOrThrow();
      for (const personal of [tenant.name, tenant.slug, tenant.adminEmail]) expect(JSON.stringify(row)).not.toContain(personal);
      expect(bytes.toString()).toContain(tenant.adminEmail);
      // Once delivered, the tenant's events lose them too (housekeeping, hourly; run here at once).
      await t.database.db.updateTable('outbox').set({ deliveredAt: new Date() }).where('aggregateId', '=', tenant.id).execute();
      await t.engine!.housekeeping.runOnce();
      const payloads = JSON.stringify(await t.database.db.selectFrom('outbox').select('payload').where('aggregateId', '=', tenant.id).execute());
      for (const personal of [tenant.name, tenant.adminEmail]) expect(payloads).not.toContain(personal);
      // To anyone but a platform admin the tombstone does not exist: its own key is refused, and
      // another tenant's admin is told there is no such tenant, alone or in a list.
      const other = await createTenantViaApi(t.app, { tier: 'FREE' });
      expect((await t.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenant.id}`, headers: bearer(tenant.initialApiKey.key) })).statusCode).toBe(401);
      const foreign = await t.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenant.id}`, headers: bearer(other.initialApiKey.key) });
      expect(foreign.statusCode).toBe(404);
      expect(foreign.headers['content-type']).toContain('application/problem+json');

      // A second DELETE finds nothing to delete; the slug can be used again.
      expect((await del({ ...adminAuth, 'x-confirmation-code': confirmationCode })).statusCode).toBe(404);
      const again = await t.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: adminAuth, payload: { name: `Again ${tenant.slug}`, slug: tenant.slug, tier: 'FREE', adminEmail: `again-${tenant.slug}@example.com` } });
      expect(again.statusCode).toBe(201);
      expect((await waitForJobEnd(t.app, again.json<{ id: string }>().id, LONG)).job.status).toBe('SUCCEEDED');
    },
    LONG * 2,
  );
});
