import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../src/api/problem.js';
import { history, waitForJobEnd } from '../support/provisioning.js';
import { type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp } from '../support/test-app.js';

/**
 * PATCH /api/v1/tenants/:id: the declaration changes (generation + 1) and an UPDATE job moves the
 * live tenant to it, in place: quotas, the service set, configuration. Enterprise is a migration.
 */

const LONG = 60_000;

describe("changing a tenant's tier", () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ engine: {} });
  });

  afterAll(async () => {
    await t.close();
  });

  const patch = (id: string, payload: unknown, headers: Record<string, string> = adminAuth) =>
    t.app.inject({ method: 'PATCH', url: `/api/v1/tenants/${id}`, headers, payload: payload as Record<string, unknown> });
  const releases = async (slug: string) => (await t.engine!.cluster!.listAll(`matih-${slug}`, 'HelmRelease')).map((o) => o.metadata.name).sort();
  const quota = async (slug: string) => {
    const [q] = await t.engine!.cluster!.listAll(`matih-${slug}`, 'ResourceQuota');
    return (q?.spec as { hard: Record<string, string> } | undefined)?.hard;
  };

  it(
    'FREE to PROFESSIONAL in place: the quota grows, the Professional services are added, nothing is torn down',
    async () => {
      const tenant = await createTenantViaApi(t.app, { tier: 'FREE' });
      expect((await waitForJobEnd(t.app, tenant.id, LONG)).job.status).toBe('SUCCEEDED');
      const freeReleases = await releases(tenant.slug);
      expect(freeReleases).not.toContain('ml-service');
      expect(await quota(tenant.slug)).toMatchObject({ 'requests.cpu': '2', pods: '20', 'requests.storage': '10Gi' });
      const namespaceUid = (await t.engine!.cluster!.listAll(undefined, 'Namespace')).find((n) => n.metadata.name === `matih-${tenant.slug}`)?.metadata.uid;

      // A tenant admin may not change its own tier.
      expect((await patch(tenant.id, { tier: 'PROFESSIONAL' }, bearer(tenant.initialApiKey.key))).statusCode).toBe(403);
      const res = await patch(tenant.id, { tier: 'professional' });
      expect(res.statusCode).toBe(202);
      const body = res.json<{ tenant: { tier: string; status: string }; jobId: string; generation: number }>();
      expect(body.tenant).toMatchObject({ tier: 'PROFESSIONAL', status: 'ACTIVE' });
      expect(body.generation).toBe(2);

      const done = await waitForJobEnd(t.app, tenant.id, LONG);
      expect(done.job).toMatchObject({ id: body.jobId, kind: 'UPDATE', status: 'SUCCEEDED' });
      expect(done.status).toBe('ACTIVE');
      const proReleases = await releases(tenant.slug);
      expect(proReleases).toEqual(expect.arrayContaining(['ml-service', 'governance-service', ...freeReleases]));
      expect(proReleases).toHaveLength(17);
      expect(await quota(tenant.slug)).toMatchObject({ 'requests.cpu': '8', pods: '50', 'requests.storage': '10Gi' });
      // In place: the same namespace object, never deleted.
      expect((await t.engine!.cluster!.listAll(undefined, 'Namespace')).find((n) => n.metadata.name === `matih-${tenant.slug}`)?.metadata.uid).toBe(namespaceUid);
      const desired = await t.database.db.selectFrom('desiredInfrastructureState').selectAll().where('tenantId', '=', tenant.id).executeTakeFirstOrThrow();
      expect({ generation: desired.generation, observed: desired.observedGeneration, tier: desired.tier }).toEqual({ generation: 2, observed: 2, tier: 'PROFESSIONAL' });
      const subscription = await t.database.db.selectFrom('billingSubscriptions').select('planId').where('tenantId', '=', tenant.id).executeTakeFirstOrThrow();
      expect(subscription.planId.toLowerCase()).toContain('professional');
      expect((await history(t.app, tenant.id)).some((h) => h.trigger === 'tenant.update_requested')).toBe(true);

      // The same declaration again: nothing to do.
      const same = await patch(tenant.id, { tier: 'PROFESSIONAL' });
      expect(same.statusCode).toBe(200);
      expect(same.json<{ jobId: null }>().jobId).toBeNull();

      // A configuration change through the same route.
      const bigger = await patch(tenant.id, { configuration: { storageGb: 250 } });
      expect(bigger.statusCode).toBe(202);
      await waitForJobEnd(t.app, tenant.id, LONG);
      expect(await quota(tenant.slug)).toMatchObject({ 'requests.storage': '250Gi' });
    },
    LONG * 2,
  );

  it('refuses a move to or from ENTERPRISE (a migration), bad input, and a change while a job runs', async () => {
    const tenant = await createTenantViaApi(t.app, { tier: 'PROFESSIONAL' });
    const busy = await patch(tenant.id, { tier: 'FREE' });
    expect(busy.statusCode).toBe(409);
    // Still provisioning: its job is in flight and it is not ACTIVE yet.
    expect(['job_in_flight', 'tenant_not_active']).toContain(busy.json<Problem>().code);
    await waitForJobEnd(t.app, tenant.id, LONG);

    const enterprise = await patch(tenant.id, { tier: 'ENTERPRISE' });
    expect(enterprise.statusCode).toBe(409);
    expect(enterprise.json<Problem>().code).toBe('tier_migration_unsupported');
    const badTier = await patch(tenant.id, { tier: 'GOLD' });
    expect(badTier.statusCode).toBe(400);
    expect(badTier.json<Problem>().errors?.[0]?.field).toBe('tier');
    const badConfig = await patch(tenant.id, { configuration: { storageGb: -1, colour: 'blue' } });
    expect(badConfig.statusCode).toBe(400);
    expect(badConfig.json<Problem>().errors?.map((e) => e.field).sort()).toEqual(['configuration.colour', 'configuration.storageGb']);
    expect((await patch(tenant.id, {})).statusCode).toBe(400);
    // Nothing changed by any of it.
    const desired = await t.database.db.selectFrom('desiredInfrastructureState').select('generation').where('tenantId', '=', tenant.id).executeTakeFirstOrThrow();
    expect(desired.generation).toBe(1);
  }, LONG);
});
