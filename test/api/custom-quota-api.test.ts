import type { LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../src/api/problem.js';
import { buildEngine } from '../../src/app.js';
import { declarationDifferences } from '../../src/domain/drift.js';
import { namespaceFor } from '../../src/domain/tenant.js';
import { DriftDetector } from '../../src/engine/drift-detector.js';
import { listReconcileCandidates } from '../../src/store/reconcile/list-reconcile-candidates.js';
import { type StatusBody, waitForJobEnd } from '../support/provisioning.js';
import { type CreatedTenantResponse, type TestApp, adminAuth, createTenantViaApi, engineConfig, startTestApp } from '../support/test-app.js';

/**
 * spec/002's "Custom" quota of an Enterprise tenant, end to end: a platform admin declares it on
 * 8089 (PUT) or 8082 (PATCH), the UPDATE job applies it to the namespace, a change is drift until
 * applied and is applied again, and every bad or too small quota is a 400 problem naming its field.
 * The app's own worker does not run: each job is run by a worker started for it, so that what the
 * API answers before a job has run can be seen.
 */

const LONG = 90_000;

const QUOTA = { cpuRequests: '16', cpuLimits: '32', memoryRequests: '32Gi', memoryLimits: '64Gi', pods: 100, services: 50, persistentVolumeClaims: 20 };

interface InfraRecord {
  status: string;
  configuration: { quota?: typeof QUOTA; storageGb?: number };
  desiredState: { generation: number; observedGeneration: number; configuration: { quota?: typeof QUOTA } };
  jobId?: string | null;
}

function expectProblem(res: LightMyRequestResponse, fields: readonly string[]): Problem {
  expect(res.statusCode, res.body).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = res.json<Problem>();
  expect(problem.code).toBe('validation_failed');
  expect([...new Set((problem.errors ?? []).map((e) => e.field))].sort()).toEqual([...fields].sort());
  return problem;
}

describe("an Enterprise tenant's custom quota", () => {
  let t: TestApp;
  let tenant: CreatedTenantResponse;

  const put = (id: string, payload: unknown) => t.infra.inject({ method: 'PUT', url: `/api/v1/infrastructure/tenants/${id}`, headers: adminAuth, payload: payload as Record<string, unknown> });
  const patch = (id: string, payload: unknown) => t.app.inject({ method: 'PATCH', url: `/api/v1/tenants/${id}`, headers: adminAuth, payload: payload as Record<string, unknown> });
  const read = async (id: string) => (await t.infra.inject({ method: 'GET', url: `/api/v1/infrastructure/tenants/${id}`, headers: adminAuth })).json<InfraRecord>();
  const generation = async (id: string) => (await read(id)).desiredState.generation;
  const objects = async (kind: string) => t.engine!.cluster!.listAll(namespaceFor(tenant.slug), kind);
  const hard = async () => {
    const quotas = await objects('ResourceQuota');
    expect(quotas.length).toBeLessThanOrEqual(1);
    return (quotas[0]?.spec as { hard: Record<string, string> } | undefined)?.hard;
  };

  /** Runs the tenant's open job to its end with a worker of its own, as the service's worker would. */
  async function runJob(id: string): Promise<StatusBody> {
    const engine = await buildEngine(t.database.db, engineConfig({ delayMs: 0 }, t.database), pino({ level: 'silent' }), { owner: 'quota-worker' });
    engine.worker.start();
    try {
      const end = await waitForJobEnd(t.app, id, LONG);
      expect(end.job.status, end.errorMessage ?? '').toBe('SUCCEEDED');
      return end;
    } finally {
      await engine.stop();
    }
  }

  beforeAll(async () => {
    t = await startTestApp({ engine: { delayMs: 0, concurrency: 0 } });
    tenant = await createTenantViaApi(t.app, { tier: 'ENTERPRISE' });
    await runJob(tenant.id);
  }, LONG);

  afterAll(async () => {
    await t.close();
  });

  it(
    'is declared by PUT on 8089 and applied by the update job; a change by PATCH is drift until the next update applies it; null removes it',
    async () => {
      // None declared: an Enterprise tenant has no quota (spec/004 "Unlimited").
      expect((await read(tenant.id)).configuration.quota).toBeUndefined();
      expect(await objects('ResourceQuota')).toEqual([]);

      const declared = await put(tenant.id, { configuration: { quota: QUOTA } });
      expect(declared.statusCode, declared.body).toBe(202);
      const body = declared.json<InfraRecord>();
      expect(body.desiredState).toMatchObject({ generation: 2, observedGeneration: 1, configuration: { quota: QUOTA } });
      expect(body.jobId).toMatch(/^[0-9a-f-]{36}$/);
      // Declared, not applied: the declaration is ahead of what was reached, and the cluster has no quota yet.
      expect(body.configuration.quota).toBeUndefined();
      expect(declarationDifferences({ ...body.desiredState, infrastructureStatus: 'ACTIVE' }).map((d) => d.kind)).toEqual(['generation']);
      expect(await objects('ResourceQuota')).toEqual([]);

      const update = await runJob(tenant.id);
      expect(update.job.id).toBe(body.jobId);
      expect(update.steps.map((s) => s.name)).toContain('APPLY_QUOTAS');
      expect(await hard()).toEqual({
        'requests.cpu': '16',
        'limits.cpu': '32',
        'requests.memory': '32Gi',
        'limits.memory': '64Gi',
        pods: '100',
        services: '50',
        persistentvolumeclaims: '20',
        'requests.storage': '500Gi',
      });
      expect((await objects('LimitRange')).map((o) => o.metadata.name)).toEqual(['tenant-limits']);
      const applied = await read(tenant.id);
      expect(applied.configuration.quota).toEqual(QUOTA);
      expect(applied.desiredState).toMatchObject({ generation: 2, observedGeneration: 2 });

      // The quota is the APPLY_QUOTAS step's now: an edit behind the control plane's back is drift of that step.
      const engine = t.engine!;
      const detector = new DriftDetector({ cluster: engine.clusterDriver, tenantDatabase: engine.tenantDatabase, dns: engine.dns }, engine.steps);
      const candidate = async () => (await listReconcileCandidates(t.database.db, { tenantIds: [tenant.id], limit: 10 }))[0]!;
      expect(await detector.detect(await candidate())).toEqual([]);
      const [live] = await objects('ResourceQuota');
      await engine.cluster!.apply({ ...live!, spec: { hard: { ...(live!.spec as { hard: Record<string, string> }).hard, pods: '1' } } });
      expect(await detector.detect(await candidate())).toEqual([{ kind: 'object', step: 'APPLY_QUOTAS', message: 'ResourceQuota/tenant-quota changed outside the control plane' }]);

      // A change through the tenant API, merged over the declared quota; the update applies it (and undoes the edit).
      const changed = await patch(tenant.id, { configuration: { quota: { pods: 150, cpuLimits: '40' } } });
      expect(changed.statusCode, changed.body).toBe(202);
      expect(changed.json<{ generation: number }>().generation).toBe(3);
      expect((await read(tenant.id)).desiredState).toMatchObject({ generation: 3, observedGeneration: 2, configuration: { quota: { ...QUOTA, pods: 150, cpuLimits: '40' } } });
      await runJob(tenant.id);
      expect(await hard()).toMatchObject({ pods: '150', 'limits.cpu': '40', 'requests.cpu': '16', 'requests.memory': '32Gi' });
      expect(await detector.detect(await candidate())).toEqual([]);

      // The same quota again: nothing to do.
      const same = await patch(tenant.id, { configuration: { quota: { pods: 150 } } });
      expect(same.statusCode, same.body).toBe(200);
      expect(same.json<{ jobId: string | null }>().jobId).toBeNull();

      // null: no quota again, and the update removes the objects.
      const removed = await patch(tenant.id, { configuration: { quota: null } });
      expect(removed.statusCode, removed.body).toBe(202);
      await runJob(tenant.id);
      expect(await objects('ResourceQuota')).toEqual([]);
      expect(await objects('LimitRange')).toEqual([]);
      expect((await read(tenant.id)).configuration.quota).toBeUndefined();
    },
    LONG * 4,
  );

  it('refuses a bad quota, or one too small for the tenant, with a 400 naming each field, on both APIs, changing nothing', async () => {
    const before = await generation(tenant.id);

    // Requests above limits; a count that is not one; a quantity that is not one.
    const inverted = expectProblem(await put(tenant.id, { configuration: { quota: { ...QUOTA, cpuRequests: '64' } } }), ['configuration.quota.cpuRequests']);
    expect(inverted.errors?.[0]?.message).toContain('cpuLimits (32)');
    expectProblem(await patch(tenant.id, { configuration: { quota: { ...QUOTA, pods: 0, memoryLimits: 'lots', extra: 1 } } }), [
      'configuration.quota.extra',
      'configuration.quota.memoryLimits',
      'configuration.quota.pods',
    ]);
    expectProblem(await put(tenant.id, { configuration: { quota: 'big' } }), ['configuration.quota']);
    expectProblem(await patch(tenant.id, { configuration: { quota: { cpuRequests: {}, pods: [1] } } }), [
      'configuration.quota.cpuRequests',
      'configuration.quota.pods',
      // None declared: the rest is required.
      'configuration.quota.cpuLimits',
      'configuration.quota.memoryRequests',
      'configuration.quota.memoryLimits',
      'configuration.quota.services',
      'configuration.quota.persistentVolumeClaims',
    ]);

    // Free's quota is too small for an Enterprise tenant's own services, monitoring and ingress controller.
    const free = { cpuRequests: '2', cpuLimits: '4', memoryRequests: '4Gi', memoryLimits: '8Gi', pods: 20, services: 10, persistentVolumeClaims: 5 };
    const small = expectProblem(await patch(tenant.id, { configuration: { quota: free } }), [
      'configuration.quota.cpuRequests',
      'configuration.quota.cpuLimits',
      'configuration.quota.memoryRequests',
      'configuration.quota.memoryLimits',
      'configuration.quota.pods',
    ]);
    expect(small.errors?.find((e) => e.field === 'configuration.quota.pods')?.message).toBe(
      "must be at least 21: the pods the tenant's own services, monitoring and ingress controller run",
    );
    expectProblem(await put(tenant.id, { configuration: { quota: free } }), [
      'configuration.quota.cpuRequests',
      'configuration.quota.cpuLimits',
      'configuration.quota.memoryRequests',
      'configuration.quota.memoryLimits',
      'configuration.quota.pods',
    ]);
    // A quota that would fit without HA does not with it: the check runs on the configuration asked for.
    const noHa = { ...QUOTA, cpuLimits: '18', pods: 18 };
    expectProblem(await put(tenant.id, { configuration: { quota: noHa } }), ['configuration.quota.cpuLimits', 'configuration.quota.pods']);
    // Under a quota, storageGb must hold the volume claims (Prometheus' 50Gi).
    expectProblem(await put(tenant.id, { configuration: { storageGb: 10, quota: QUOTA } }), ['configuration.storageGb']);

    expect(await generation(tenant.id)).toBe(before);
  });

  it('is refused on Free and Professional, whose quota is their tier\'s', async () => {
    const professional = await createTenantViaApi(t.app, { tier: 'PROFESSIONAL' });
    const refused = expectProblem(await patch(professional.id, { configuration: { quota: QUOTA } }), ['configuration.quota']);
    expect(refused.errors?.[0]?.message).toContain('only ENTERPRISE takes a custom quota');
    expectProblem(await put(professional.id, { configuration: { quota: QUOTA } }), ['configuration.quota']);
  });
});
