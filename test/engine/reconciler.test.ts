import { sql } from 'kysely';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT_SCHEMA_SUFFIXES } from '../../src/domain/tenant-database.js';
import { namespaceFor } from '../../src/domain/tenant.js';
import { claimSweep } from '../../src/store/reconcile/claim-sweep.js';
import { finishSweep } from '../../src/store/reconcile/finish-sweep.js';
import { history, waitForJobEnd } from '../support/provisioning.js';
import {
  deleteNetworkPolicy,
  desiredOf,
  networkPolicies,
  outboxOf,
  provisionTenant,
  reconcileEvents,
  reconcileJobs,
  simCluster,
  stepOutputs,
  waitForReconciles,
} from '../support/reconcile.js';
import { BOOTSTRAP_TOKEN, type TestApp, adminAuth, createTenantViaApi, startTestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

function reconciler(t: TestApp) {
  const r = t.engine?.reconciler;
  if (!r) throw new Error('no engine');
  return r;
}

describe('the periodic reconcile loop', () => {
  let t: TestApp;
  let wsBase: string;
  beforeAll(async () => {
    t = await startTestApp({ engine: { reconcileIntervalMs: 300 } });
    wsBase = (await t.app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws');
  });
  afterAll(async () => {
    await t.close();
  });

  it('puts back a NetworkPolicy deleted behind its back, and says so in the history, the outbox and the WebSocket', async () => {
    const tenant = await provisionTenant(t);
    const before = (await networkPolicies(t, tenant.slug)).map((p) => p.metadata.name).sort();
    const seen: { trigger?: string; details?: { differences?: string[] } }[] = [];
    const ws = new WebSocket(`${wsBase}/ws/provisioning/${tenant.id}`, [], { headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` } });
    ws.on('message', (data: Buffer) => seen.push(JSON.parse(data.toString()) as (typeof seen)[number]));
    await waitFor(async () => (seen.length > 0 ? true : undefined), 10_000, 'the WebSocket status');

    // Nothing but the loop runs from here: no sweepOnce, no wake.
    const deleted = await deleteNetworkPolicy(t, tenant.slug);
    const [job] = await waitForReconciles(t, tenant.id);
    expect(job?.status).toBe('SUCCEEDED');
    expect((await networkPolicies(t, tenant.slug)).map((p) => p.metadata.name).sort()).toEqual(before);

    const entries = await history(t.app, tenant.id);
    const detected = entries.find((e) => e.trigger === 'drift.detected');
    expect(detected?.details.differences).toEqual([`NetworkPolicy/${deleted} missing`]);
    const started = entries.find((e) => e.trigger === 'reconcile.started');
    expect(started?.seq).toBeGreaterThan(detected?.seq ?? Infinity);
    const repairSteps = entries.filter((e) => e.trigger === 'step.completed' && (e.seq > (started?.seq ?? 0))).map((e) => e.step);
    expect(repairSteps).toContain('CONFIGURE_NETWORKING');
    expect(repairSteps).toContain('VERIFY');
    expect(entries.at(-1)?.trigger).toBe('job.succeeded');

    const events = await reconcileEvents(t, tenant.id);
    expect(events.map((e) => e.type)).toEqual(['drift.detected', 'reconcile.started', 'drift.repaired']);
    expect(events[0]?.payload).toMatchObject({ differences: [`NetworkPolicy/${deleted} missing`], byStep: { CONFIGURE_NETWORKING: [`NetworkPolicy/${deleted} missing`] } });
    expect(events[1]?.payload).toMatchObject({ jobId: job?.id, reasons: [`NetworkPolicy/${deleted} missing`] });
    expect(events[2]?.payload).toMatchObject({ jobId: job?.id, repaired: { CONFIGURE_NETWORKING: { applied: [`NetworkPolicy/${deleted}`] } } });

    // The WebSocket streams the same audit rows: the drift reached it without asking.
    await waitFor(async () => (seen.some((m) => m.trigger === 'job.succeeded') ? true : undefined), 10_000, 'the repair on the WebSocket');
    ws.close();
    expect(seen.find((m) => m.trigger === 'drift.detected')?.details?.differences).toEqual([`NetworkPolicy/${deleted} missing`]);

    // And then it is quiet again: the loop finds the tenant matching, and queues nothing more.
    const quiet = await desiredOf(t, tenant.id);
    await waitFor(async () => ((await desiredOf(t, tenant.id)).lastReconciledAt! > quiet.lastReconciledAt! ? true : undefined), 10_000, 'another sweep');
    expect(await reconcileJobs(t, tenant.id)).toHaveLength(1);
    expect(quiet.observedGeneration).toBe(quiet.generation);
  });

  it('recreates a schema dropped in the database and says which', async () => {
    const tenant = await provisionTenant(t);
    const schema = `${tenant.slug.replaceAll('-', '_')}_${TENANT_SCHEMA_SUFFIXES[3]}`;
    const schemas = async () =>
      (await sql<{ nspname: string }>`select nspname from pg_namespace where nspname = ${schema}`.execute(t.database.db)).rows.length;
    expect(await schemas()).toBe(1);
    await sql`drop schema ${sql.id(schema)} cascade`.execute(t.database.db);
    expect(await schemas()).toBe(0);

    const [job] = await waitForReconciles(t, tenant.id);
    expect(job?.status).toBe('SUCCEEDED');
    expect(await schemas()).toBe(1);
    const events = await reconcileEvents(t, tenant.id);
    expect(events.map((e) => e.type)).toEqual(['drift.detected', 'reconcile.started', 'drift.repaired']);
    expect(events[0]?.payload.differences).toContain(`schema ${schema} missing`);
    expect(events[2]?.payload).toMatchObject({ repaired: { SETUP_DATABASE: { created: [`schema ${schema}`] } } });
  });
});

describe('reconcile sweeps', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No periodic sweep: each test sweeps when it means to (wake-ups still run).
    t = await startTestApp({ engine: { reconcileIntervalMs: 0 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('queues nothing and writes no event for a tenant that matches, and marks it reconciled', async () => {
    const tenant = await provisionTenant(t);
    const eventsBefore = (await outboxOf(t, tenant.id)).length;
    const auditBefore = (await history(t.app, tenant.id)).length;
    expect((await desiredOf(t, tenant.id)).lastReconciledAt).not.toBeNull(); // the provisioning's own

    const summary = await reconciler(t).sweepOnce();
    expect(summary).toMatchObject({ scope: 'full', drifted: 0, jobsQueued: 0, deferred: 0, errors: 0 });
    expect(summary.tenantsChecked).toBeGreaterThanOrEqual(1);
    expect(summary.clean).toBe(summary.tenantsChecked);
    expect(await reconcileJobs(t, tenant.id)).toEqual([]);
    expect(await outboxOf(t, tenant.id)).toHaveLength(eventsBefore);
    expect(await history(t.app, tenant.id)).toHaveLength(auditBefore);
    const desired = await desiredOf(t, tenant.id);
    expect(desired.lastReconciledAt!.getTime()).toBeGreaterThanOrEqual(new Date(summary.startedAt).getTime() - 1000);

    const res = await t.infra.inject({ method: 'GET', url: '/api/v1/infrastructure/reconciler', headers: adminAuth });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ intervalSeconds: 0, maxJobs: 4, running: true, openReconcileJobs: 0, lastSweep: { scope: 'full', jobsQueued: 0, startedAt: summary.startedAt } });
    const forbidden = await t.infra.inject({ method: 'GET', url: '/api/v1/infrastructure/reconciler', headers: { authorization: `Bearer ${tenant.initialApiKey.key}` } });
    expect(forbidden.statusCode).toBe(403);
    const doc = (await t.infra.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    expect(Object.keys(doc.paths['/api/v1/infrastructure/reconciler'] ?? {})).toEqual(['get']);
  });

  it('a platform admin asks for a full sweep through the API with no interval set, and the status shows it done', async () => {
    const tenant = await provisionTenant(t);
    const before = await desiredOf(t, tenant.id);
    const forbidden = await t.infra.inject({ method: 'POST', url: '/api/v1/infrastructure/reconciler/sweeps', headers: { authorization: `Bearer ${tenant.initialApiKey.key}` } });
    expect(forbidden.statusCode).toBe(403);

    const res = await t.infra.inject({ method: 'POST', url: '/api/v1/infrastructure/reconciler/sweeps', headers: adminAuth });
    expect(res.statusCode, res.body).toBe(202);
    const { requestedAt } = res.json<{ requestedAt: string }>();
    const pass = await waitFor(
      async () => {
        const status = (await t.infra.inject({ method: 'GET', url: '/api/v1/infrastructure/reconciler', headers: adminAuth })).json<{ lastPass: { scope: string; startedAt: string; tenantsChecked: number } | null }>();
        return status.lastPass && status.lastPass.scope === 'full' && status.lastPass.startedAt >= requestedAt ? status.lastPass : undefined;
      },
      20_000,
      'the requested sweep',
    );
    expect(pass.tenantsChecked).toBeGreaterThanOrEqual(1);
    // It observed the tenant: marked reconciled again.
    expect((await desiredOf(t, tenant.id)).lastReconciledAt!.getTime()).toBeGreaterThan(before.lastReconciledAt!.getTime());
  });

  it('sweeps only while it holds the sweep lease, so replicas sweep once per interval between them', async () => {
    const { db } = t.database;
    expect(await claimSweep(db, { owner: 'replica-b', leaseMs: 60_000, force: true })).toEqual({ claimed: true });
    const skipped = await reconciler(t).sweepOnce();
    expect(skipped).toMatchObject({ skipped: 'replica replica-b is sweeping', tenantsChecked: 0 });
    // Replica b finishes: the next sweep is due an hour later, for every replica.
    await finishSweep(db, 'replica-b', 3_600_000, { scope: 'full', tenantsChecked: 7 }, true);
    const notDue = await claimSweep(db, { owner: 'replica-c', leaseMs: 60_000, force: false });
    expect(notDue).toMatchObject({ claimed: false, leaseOwner: null });
    expect(notDue.claimed ? 0 : notDue.waitMs).toBeGreaterThan(3_500_000);
    const status = await reconciler(t).status();
    expect(status.lastSweep).toMatchObject({ owner: 'replica-b', tenantsChecked: 7 });
    // An explicit sweep does not wait for the interval, only for the lease.
    expect((await reconciler(t).sweepOnce()).skipped).toBeUndefined();
  });

  it('the status route answers 404 on a service that runs no reconciler', async () => {
    const bare = await startTestApp();
    try {
      const res = await bare.infra.inject({ method: 'GET', url: '/api/v1/infrastructure/reconciler', headers: adminAuth });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'no_reconciler' });
    } finally {
      await bare.close();
    }
  });

  it('a feature override changes the declaration: a RECONCILE job brings the ConfigMap to it and observedGeneration catches up', async () => {
    const tenant = await provisionTenant(t);
    const before = await desiredOf(t, tenant.id);
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tenants/${tenant.id}/features`,
      headers: { ...adminAuth, 'content-type': 'application/merge-patch+json' },
      payload: JSON.stringify({ 'ai.chat': false }),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await desiredOf(t, tenant.id)).generation).toBe(before.generation + 1);

    // The wake-up alone: no sweep is asked for.
    const [job] = await waitForReconciles(t, tenant.id);
    expect(job?.status).toBe('SUCCEEDED');
    const after = await desiredOf(t, tenant.id);
    expect(after.observedGeneration).toBe(after.generation);
    const [configMap] = await simCluster(t).listAll(namespaceFor(tenant.slug), 'ConfigMap').then((all) => all.filter((o) => o.metadata.name === 'tenant-config'));
    const document = JSON.parse((configMap?.data as Record<string, string>)['tenant-config.json'] ?? '{}') as { features: Record<string, boolean> };
    expect(document.features['ai.chat']).toBe(false);
    expect(document.features['ml.workbench']).toBe(true);

    // Not drift: the world did not change, the declaration did.
    const events = await reconcileEvents(t, tenant.id);
    expect(events.map((e) => e.type)).toEqual(['reconcile.started', 'drift.repaired']);
    expect(events[0]?.payload.reasons).toEqual([`generation ${before.generation + 1}, observed ${before.generation}`]);
    expect(events[1]?.payload).toMatchObject({ repaired: { CONFIGURE: { applied: ['ConfigMap/tenant-config'] } } });
    expect((await reconciler(t).sweepOnce()).jobsQueued).toBe(0);
  });

  it('a repair that fails publishes reconcile.failed and leaves the tenant ACTIVE; the next sweep converges it', async () => {
    const tenant = await provisionTenant(t);
    const deleted = await deleteNetworkPolicy(t, tenant.slug);
    t.engine!.faults.configure({ faults: [{ step: 'CONFIGURE_NETWORKING', kind: 'permanent', times: 1 }] });
    try {
      expect((await reconciler(t).sweepOnce()).jobsQueued).toBe(1);
      const [job] = await waitForReconciles(t, tenant.id);
      expect(job).toMatchObject({ status: 'FAILED', failedStep: 'CONFIGURE_NETWORKING' });
    } finally {
      t.engine!.faults.configure({ faults: [] });
    }
    const failed = (await reconcileEvents(t, tenant.id)).at(-1);
    expect(failed).toMatchObject({ type: 'reconcile.failed', payload: { kind: 'RECONCILE', failedStep: 'CONFIGURE_NETWORKING', cancelled: false } });
    expect(String(failed?.payload.reason)).toContain('simulated permanent fault');
    const row = await t.database.db.selectFrom('tenants').select('status').where('id', '=', tenant.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('ACTIVE');
    // No rollback for a repair: what the failed run put back stays.
    expect((await networkPolicies(t, tenant.slug)).map((p) => p.metadata.name)).toContain(deleted);

    // The infrastructure record says FAILED: the next sweep runs the repair again, which now succeeds.
    expect((await reconciler(t).sweepOnce()).jobsQueued).toBe(1);
    const jobs = await waitForReconciles(t, tenant.id, 2);
    expect(jobs.map((j) => j.status)).toEqual(['FAILED', 'SUCCEEDED']);
    const infra = await t.database.db.selectFrom('tenantInfrastructure').select('status').where('tenantId', '=', tenant.id).executeTakeFirstOrThrow();
    expect(infra.status).toBe('ACTIVE');
    const again = (await reconcileEvents(t, tenant.id)).filter((e) => e.type === 'reconcile.started').at(-1);
    expect(again?.payload.reasons).toEqual(['infrastructure FAILED after its last job']);
  });

  it('reconciles a SUSPENDED tenant without VERIFY and leaves it suspended', async () => {
    const tenant = await provisionTenant(t);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenant.id}/suspend`, headers: adminAuth, payload: {} });
    expect(res.statusCode, res.body).toBe(202);
    expect((await waitForJobEnd(t.app, tenant.id)).job.status).toBe('SUCCEEDED');
    const deleted = await deleteNetworkPolicy(t, tenant.slug, 1);

    expect((await reconciler(t).sweepOnce()).jobsQueued).toBe(1);
    const [job] = await waitForReconciles(t, tenant.id);
    expect(job?.status).toBe('SUCCEEDED');
    expect((await networkPolicies(t, tenant.slug)).map((p) => p.metadata.name)).toContain(deleted);
    const outputs = await stepOutputs(t, job!.id);
    expect(outputs.VERIFY).toMatchObject({ status: 'COMPLETED', healthy: [] });
    expect(String(outputs.VERIFY?.skipped)).toContain('suspended');
    const row = await t.database.db.selectFrom('tenants').select('status').where('id', '=', tenant.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('SUSPENDED');
    const infra = await t.database.db.selectFrom('tenantInfrastructure').select('status').where('tenantId', '=', tenant.id).executeTakeFirstOrThrow();
    expect(infra.status).toBe('SUSPENDED');
  });
});

describe('the bound on repairs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ engine: { reconcileIntervalMs: 0, reconcileMaxJobs: 1, concurrency: 1 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('keeps one RECONCILE job open at a time, repairs both tenants in the end, and provisions a new tenant first', async () => {
    const a = await provisionTenant(t);
    const b = await provisionTenant(t);
    const lost = { [a.id]: await deleteNetworkPolicy(t, a.slug), [b.id]: await deleteNetworkPolicy(t, b.slug) };

    // Keep the one worker busy with a slow provisioning while a repair and another tenant queue up.
    simCluster(t).configure({ delayMs: 1500 });
    const busy = await createTenantViaApi(t.app);
    await waitFor(async () => ((await t.database.db.selectFrom('tenantProvisioningJobs').select('status').where('tenantId', '=', busy.id).executeTakeFirst())?.status === 'RUNNING' ? true : undefined));

    const first = await reconciler(t).sweepOnce();
    expect(first).toMatchObject({ drifted: 2, jobsQueued: 1, deferred: 1 });
    const fresh = await createTenantViaApi(t.app);
    simCluster(t).configure({ delayMs: 0 });
    // The bound holds while the first repair is open.
    expect(await reconciler(t).sweepOnce()).toMatchObject({ jobsQueued: 0, deferred: 1 });

    expect((await waitForJobEnd(t.app, fresh.id, 60_000)).status).toBe('ACTIVE');
    const [repair] = await waitFor(async () => {
      const jobs = await reconcileJobs(t);
      return jobs.length === 1 && jobs[0]?.status === 'SUCCEEDED' ? jobs : undefined;
    }, 60_000);
    const provision = await t.database.db.selectFrom('tenantProvisioningJobs').select('startedAt').where('tenantId', '=', fresh.id).executeTakeFirstOrThrow();
    // Queued after the repair, claimed before it: repairs wait behind what people asked for.
    expect(provision.startedAt!.getTime()).toBeLessThan(repair!.startedAt!.getTime());

    expect((await reconciler(t).sweepOnce()).jobsQueued).toBe(1);
    const jobs = await waitFor(async () => {
      const all = await reconcileJobs(t);
      return all.length === 2 && all.every((j) => j.status === 'SUCCEEDED') ? all : undefined;
    });
    expect(new Set(jobs.map((j) => j.tenantId))).toEqual(new Set([a.id, b.id]));
    // Never two open at once: the second was queued after the first had finished.
    expect(jobs[1]!.createdAt.getTime()).toBeGreaterThanOrEqual(jobs[0]!.completedAt!.getTime());
    for (const tenant of [a, b]) expect((await networkPolicies(t, tenant.slug)).map((p) => p.metadata.name)).toContain(lost[tenant.id]);
    expect(await reconciler(t).sweepOnce()).toMatchObject({ drifted: 0, jobsQueued: 0 });
  });
});
