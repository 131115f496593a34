import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { planFor } from '../../src/domain/plans.js';
import { NOTHING_LEFT, tenantFootprint } from '../support/footprint.js';
import { history, status, waitForJobEnd } from '../support/provisioning.js';
import { type TestApp, adminAuth, createTenantViaApi, startTestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

describe('failures during provisioning', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ engine: { backoffSeconds: [1, 2], maxRetries: 3 } });
  });
  afterAll(async () => {
    await t.close();
  });
  // A failed test must not leave its faults to the next one.
  afterEach(() => t.engine!.faults.configure({ faults: [] }));

  const events = async (tenantId: string) =>
    (await t.database.db.selectFrom('outbox').select(['type', 'payload']).where('aggregateId', '=', tenantId).orderBy('id').execute());

  it('a transient fault twice: retried on the configured backoff, then ACTIVE with retryCount 2', async () => {
    t.engine!.faults.configure({ faults: [{ step: 'DEPLOY_CORE_SERVICES', kind: 'retryable', times: 2 }] });
    const created = await createTenantViaApi(t.app);
    const final = await waitForJobEnd(t.app, created.id);
    expect(final).toMatchObject({ status: 'ACTIVE', retryCount: 2 });
    expect(final.steps.find((s) => s.name === 'DEPLOY_CORE_SERVICES')).toMatchObject({ status: 'COMPLETED', attempts: 3, lastError: null });

    const entries = await history(t.app, created.id);
    const failures = entries.filter((e) => e.trigger === 'step.failed');
    expect(failures.map((f) => f.details.backoffSeconds)).toEqual([1, 2]);
    expect(failures.map((f) => f.details.retryCount)).toEqual([1, 2]);
    for (const failure of failures) {
      // The wait is scheduled on the database clock and honoured: the retry starts no earlier.
      const scheduled = new Date(failure.details.nextRetryAt as string).getTime();
      const failedAt = new Date(failure.createdAt).getTime();
      expect(scheduled - failedAt).toBeGreaterThanOrEqual((failure.details.backoffSeconds as number) * 1000 - 50);
      const retry = entries.find((e) => e.seq > failure.seq && e.trigger === 'step.started' && e.step === 'DEPLOY_CORE_SERVICES');
      expect(new Date(retry!.createdAt).getTime()).toBeGreaterThanOrEqual(scheduled - 5);
    }
  });

  it('a permanent fault: FAILED with the reason, completed steps rolled back newest first, then a retry reaches ACTIVE', async () => {
    t.engine!.faults.configure({ faults: [{ step: 'CREATE_DNS_ZONE', kind: 'permanent', times: 0 }] });
    const created = await createTenantViaApi(t.app);
    const failed = await waitForJobEnd(t.app, created.id);
    expect(failed).toMatchObject({ status: 'FAILED', currentPhase: 'FAILED', retryCount: 0 });
    expect(failed.job.status).toBe('FAILED');
    expect(failed.errorMessage).toContain('CREATE_DNS_ZONE');
    expect(failed.errorMessage).toContain('simulated permanent fault');

    const tenant = await t.app.inject({ method: 'GET', url: `/api/v1/tenants/${created.id}`, headers: adminAuth });
    expect(tenant.json()).toMatchObject({ status: 'FAILED', provisioningError: failed.errorMessage });

    const entries = await history(t.app, created.id);
    const completed = entries.filter((e) => e.trigger === 'step.completed').map((e) => e.step!);
    const undone = entries.filter((e) => e.trigger === 'rollback.step_completed').map((e) => e.step);
    // The failed step (it may have made things part-way) first, then the completed ones in reverse.
    expect(undone).toEqual(['CREATE_DNS_ZONE', ...completed.reverse()]);
    // Nothing left: no cluster object, no cloud resource, no schema or role.
    expect(await tenantFootprint(t, created)).toEqual(NOTHING_LEFT);
    const types = (await events(created.id)).map((e) => e.type);
    expect(types.at(-1)).toBe('tenant.provisioning.failed');
    const failure = (await events(created.id)).at(-1)!.payload;
    expect(failure).toMatchObject({ adminEmail: expect.stringContaining('@') as unknown, failedStep: 'CREATE_DNS_ZONE' });

    t.engine!.faults.configure({ faults: [] });
    const retry = await t.app.inject({ method: 'POST', url: `/api/v1/tenants/${created.id}/provisioning/retry`, headers: adminAuth });
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toMatchObject({ fromStep: 'SELECT_CLUSTER' });
    const again = await waitForJobEnd(t.app, created.id);
    expect(again).toMatchObject({ status: 'ACTIVE', errorMessage: null });
    expect(again.steps.every((s) => s.status === 'COMPLETED')).toBe(true);
    const footprint = await tenantFootprint(t, created);
    expect(footprint.objectCount).toBeGreaterThan(20);
    expect(footprint.dns).toEqual({ zone: true, delegation: true });
    expect(footprint.database).toMatchObject({ rolePresent: true, migrationVersion: expect.any(Number) as unknown });
    expect(footprint.database.schemasPresent).toHaveLength(9);
  });

  it('retries exhausted: FAILED after maxRetries, with every failure recorded', async () => {
    t.engine!.faults.configure({ faults: [{ step: 'APPLY_QUOTAS', kind: 'retryable', times: 100 }] });
    const created = await createTenantViaApi(t.app);
    const failed = await waitForJobEnd(t.app, created.id, 30_000);
    expect(failed).toMatchObject({ status: 'FAILED', retryCount: 3 });
    const entries = await history(t.app, created.id);
    expect(entries.filter((e) => e.trigger === 'step.failed')).toHaveLength(3);
    expect(entries.some((e) => e.trigger === 'retries.exhausted')).toBe(true);
    t.engine!.faults.configure({ faults: [] });
  }, 40_000);

  it('refuses to retry a job that has not failed, and a tenant admin may not retry at all', async () => {
    const created = await createTenantViaApi(t.app);
    await waitForJobEnd(t.app, created.id);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/tenants/${created.id}/provisioning/retry`, headers: adminAuth });
    expect(res.statusCode).toBe(409);
    const asTenant = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${created.id}/provisioning/retry`,
      headers: { authorization: `Bearer ${created.initialApiKey.key}` },
    });
    expect(asTenant.statusCode).toBe(403);
  });
});

describe('cancelling provisioning', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ engine: { delayMs: 150, leaseMs: 600 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('stops a running job mid-step, rolls back what it did, and marks it CANCELLED', async () => {
    const created = await createTenantViaApi(t.app);
    await waitFor(async () => ((await status(t.app, created.id)).steps.filter((s) => s.status === 'COMPLETED').length >= 6 ? true : undefined));
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/tenants/${created.id}/provisioning/cancel`, headers: adminAuth });
    expect(res.statusCode).toBe(202);
    const final = await waitForJobEnd(t.app, created.id);
    expect(final.job.status).toBe('CANCELLED');
    expect(final.status).toBe('FAILED');
    const plan = planFor('PROFESSIONAL');
    expect(final.steps.some((s) => s.status === 'COMPLETED' && plan.steps.findIndex((p) => p.name === s.name) > 2)).toBe(false);
    expect(await tenantFootprint(t, created)).toEqual(NOTHING_LEFT);
    const entries = await history(t.app, created.id);
    expect(entries.map((e) => e.trigger)).toEqual(expect.arrayContaining(['job.cancel_requested', 'job.cancelled', 'rollback.started']));
  });
});
