import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../src/api/problem.js';
import { EventType } from '../../src/domain/events.js';
import { tenantFootprint } from '../support/footprint.js';
import { MailCatcher } from '../support/mail-server.js';
import { history, status, waitForJobEnd } from '../support/provisioning.js';
import { type CreatedTenantResponse, type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * spec/002 "Suspension" and "Reactivation" through the API and the engine: keys and tokens
 * refused from the moment of suspension, every workload at zero replicas and back, old tokens
 * revoked for good, events and admin notifications in order.
 */

const LONG = 60_000;

interface Release {
  name: string;
  replicas: number | undefined;
}

describe('suspend and reactivate', () => {
  let t: TestApp;
  let mail: MailCatcher;
  let tenant: CreatedTenantResponse;

  beforeAll(async () => {
    mail = new MailCatcher();
    await mail.listen();
    t = await startTestApp({ engine: { events: { notifier: 'smtp', smtpUrl: mail.url } } });
    t.engine?.relay.start();
    tenant = await createTenantViaApi(t.app, { tier: 'PROFESSIONAL' });
    expect((await waitForJobEnd(t.app, tenant.id)).job.status).toBe('SUCCEEDED');
  }, LONG);

  afterAll(async () => {
    await t.close();
    await mail.close();
  });

  const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });
  const exchange = async (key: string) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: key } });
    return res.json<{ accessToken: string }>().accessToken;
  };
  const post = (url: string, headers: Record<string, string> = adminAuth) => t.app.inject({ method: 'POST', url, headers });

  /** Every HelmRelease of the tenant with the replica value its chart reads. */
  async function releases(): Promise<Release[]> {
    const objects = await t.engine!.cluster!.listAll(`matih-${tenant.slug}`, 'HelmRelease');
    return objects.map((o) => {
      const values = (o.spec as { values?: Record<string, unknown> }).values ?? {};
      const controller = values.controller as { replicaCount?: number } | undefined;
      const prometheus = values.prometheus as { prometheusSpec?: { replicas?: number } } | undefined;
      const replicas =
        (values.replicaCount as number | undefined) ?? controller?.replicaCount ?? prometheus?.prometheusSpec?.replicas ?? (values.replicas as number | undefined);
      return { name: o.metadata.name, replicas };
    });
  }

  it(
    'suspends: credentials refused at once, every workload scaled to zero, data kept; reactivates: replicas back, old tokens stay revoked',
    async () => {
      const key = tenant.initialApiKey.key;
      const oldToken = await exchange(key);
      expect((await get(`/api/v1/tenants/${tenant.id}`, bearer(key))).statusCode).toBe(200);
      const before = await releases();
      expect(before).toHaveLength(17);
      expect(before.filter((r) => r.replicas === 0)).toEqual([]);

      // Only a platform admin may suspend.
      expect((await post(`/api/v1/tenants/${tenant.id}/suspend`, bearer(key))).statusCode).toBe(403);
      const suspend = await post(`/api/v1/tenants/${tenant.id}/suspend`);
      expect(suspend.statusCode).toBe(202);
      const { jobId } = suspend.json<{ jobId: string; status: string }>();
      expect(suspend.json<{ status: string }>().status).toBe('SUSPENDED');

      // From that moment, before the job has run: the key and the token are refused.
      const refused = await get(`/api/v1/tenants/${tenant.id}`, bearer(key));
      expect(refused.statusCode).toBe(401);
      expect(refused.json<Problem>().detail).toContain('suspended');
      expect((await get(`/api/v1/tenants/${tenant.id}`, bearer(oldToken))).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: key } })).statusCode).toBe(401);

      const suspended = await waitForJobEnd(t.app, tenant.id, LONG);
      expect(suspended.job).toMatchObject({ id: jobId, status: 'SUCCEEDED', kind: 'SUSPEND' });
      expect(suspended.status).toBe('SUSPENDED');
      const down = await releases();
      expect(down).toHaveLength(17);
      expect(down.filter((r) => r.replicas !== 0)).toEqual([]);
      // Data kept: the tenant's schemas are all there.
      const kept = await tenantFootprint(t, tenant);
      expect(kept.database.rolePresent).toBe(true);
      expect(kept.database.schemasPresent.length).toBeGreaterThan(0);
      expect(kept.database.migrationVersion).not.toBeNull();

      // Suspending again changes nothing.
      const again = await post(`/api/v1/tenants/${tenant.id}/suspend`);
      expect(again.statusCode).toBe(200);
      expect(again.json<{ jobId: null }>().jobId).toBeNull();

      const reactivate = await post(`/api/v1/tenants/${tenant.id}/reactivate`);
      expect(reactivate.statusCode).toBe(202);
      const active = await waitForJobEnd(t.app, tenant.id, LONG);
      expect(active.job).toMatchObject({ status: 'SUCCEEDED', kind: 'REACTIVATE' });
      expect(active.status).toBe('ACTIVE');
      // Back to the configured replicas: one per service, two controllers, one Prometheus and one Grafana (chart default).
      const up = await releases();
      expect(up.find((r) => r.name === 'ingress-nginx')?.replicas).toBe(2);
      expect(up.find((r) => r.name === 'query-engine')?.replicas).toBe(1);
      expect(up.filter((r) => r.replicas === 0)).toEqual([]);
      // VERIFY ran: every service passed its health check before ACTIVE.
      expect(active.steps.map((s) => [s.name, s.status])).toContainEqual(['VERIFY', 'COMPLETED']);

      // The key works again; the token issued before the suspension stays revoked; a new one works.
      expect((await get(`/api/v1/tenants/${tenant.id}`, bearer(key))).statusCode).toBe(200);
      expect((await get(`/api/v1/tenants/${tenant.id}`, bearer(oldToken))).statusCode).toBe(401);
      expect((await get(`/api/v1/tenants/${tenant.id}`, bearer(await exchange(key)))).statusCode).toBe(200);

      // Events in order, and the admin notified of each.
      const events = await t.database.db
        .selectFrom('outbox')
        .select(['type'])
        .where('aggregateId', '=', tenant.id)
        .orderBy('id')
        .execute();
      const lifecycle = events.map((e) => e.type).filter((type) => type === EventType.TENANT_SUSPENDED || type === EventType.TENANT_ACTIVATED);
      expect(lifecycle).toEqual([EventType.TENANT_SUSPENDED, EventType.TENANT_ACTIVATED]);
      const adminEmail = (await get(`/api/v1/tenants/${tenant.id}`, adminAuth)).json<{ adminEmail: string }>().adminEmail;
      // Welcome, suspended, active again: in that order (the relay delivers a tenant's events in order).
      const subjects = await waitFor(async () => {
        const all = mail.to(adminEmail).map((m) => m.parsed.subject ?? '');
        return all.some((s) => s.includes('is active again')) ? all : undefined;
      }, 15_000, 'the reactivation notice');
      expect(subjects).toEqual([expect.stringContaining('is ready'), expect.stringContaining('is suspended'), expect.stringContaining('is active again')]);

      // The history tells the story, and the infrastructure record followed.
      const triggers = (await history(t.app, tenant.id)).map((h) => h.trigger);
      expect(triggers).toContain('tenant.suspend_requested');
      expect(triggers).toContain('tenant.reactivate_requested');
      const infra = await t.database.db.selectFrom('infrastructureStateTransitions').select(['toState']).where('tenantId', '=', tenant.id).orderBy('seq').execute();
      expect(infra.map((r) => r.toState).slice(-4)).toEqual(['UPDATING', 'SUSPENDED', 'UPDATING', 'ACTIVE']);
    },
    LONG * 2,
  );

  it('refuses what does not fit the tenant status, and unknown tenants', async () => {
    const reactivate = await post(`/api/v1/tenants/${tenant.id}/reactivate`);
    // Active already: nothing to do.
    expect(reactivate.statusCode).toBe(200);
    const missing = await post('/api/v1/tenants/00000000-0000-7000-8000-000000000000/suspend');
    expect(missing.statusCode).toBe(404);
    const bad = await post('/api/v1/tenants/not-a-uuid/suspend');
    expect(bad.statusCode).toBe(400);
    const provisioning = await createTenantViaApi(t.app, { tier: 'FREE' });
    const early = await post(`/api/v1/tenants/${provisioning.id}/suspend`);
    expect(early.statusCode).toBe(409);
    expect(early.json<Problem>().code).toBe('tenant_not_active');
    await waitForJobEnd(t.app, provisioning.id, LONG);
    expect((await status(t.app, provisioning.id)).status).toBe('ACTIVE');
  }, LONG);
});
