import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNCHRONOUS_STEPS, planFor } from '../../src/domain/plans.js';
import { listSimResources } from '../../src/store/sim/sim-resources.js';
import { history, status, waitForJobEnd } from '../support/provisioning.js';
import { type TestApp, createTenantViaApi, startTestApp } from '../support/test-app.js';

describe('provisioning a tenant end to end', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ engine: {} });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['PROFESSIONAL', 'FREE', 'ENTERPRISE'] as const)('a %s tenant runs every step of its plan once, in order, and ends ACTIVE', async (tier) => {
    const created = await createTenantViaApi(t.app, { tier });
    const final = await waitForJobEnd(t.app, created.id);
    const plan = planFor(tier);

    expect(final).toMatchObject({ status: 'ACTIVE', currentPhase: 'COMPLETED', progress: 100, remainingPhases: [], retryCount: 0, errorMessage: null });
    expect(final.job.status).toBe('SUCCEEDED');
    expect(final.completedPhases).toEqual(plan.stages.map((s) => s.state).filter((s) => s !== 'COMPLETED'));
    expect(final.steps.map((s) => s.name)).toEqual(plan.steps.map((s) => s.name));
    for (const step of final.steps) {
      expect(step, step.name).toMatchObject({ status: 'COMPLETED', attempts: 1, lastError: null });
    }

    // The history has each step started and completed exactly once, in plan order.
    const entries = await history(t.app, created.id);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    const completed = entries.filter((e) => e.trigger === 'step.completed').map((e) => e.step);
    expect(completed).toEqual(plan.steps.filter((s) => !SYNCHRONOUS_STEPS.has(s.name)).map((s) => s.name));
    const started = entries.filter((e) => e.trigger === 'step.started').map((e) => e.step);
    expect(started).toEqual(completed);
    expect(entries.at(-1)?.trigger).toBe('job.succeeded');

    // ACTIVATE is real: the admin is active, the tenant record is complete.
    const tenant = await t.database.db.selectFrom('tenants').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(tenant).toMatchObject({ status: 'ACTIVE', provisioningError: null, kubernetesNamespace: `matih-${created.slug}` });
    expect(tenant.provisioningCompletedAt).toBeInstanceOf(Date);
    expect(tenant.deploymentType).toBe(tier === 'ENTERPRISE' ? 'DEDICATED' : 'SHARED');
    const admin = await t.database.db.selectFrom('users').select('status').where('tenantId', '=', created.id).executeTakeFirstOrThrow();
    expect(admin.status).toBe('ACTIVE');

    // spec/002 ProvisioningState, with the outputs of every phase.
    const state = await t.database.db.selectFrom('tenantProvisioningState').selectAll().where('tenantId', '=', created.id).executeTakeFirstOrThrow();
    expect(state).toMatchObject({ status: 'COMPLETED', currentPhase: 'COMPLETED', failureReason: null });
    expect(Object.keys(state.phaseOutputs).sort()).toEqual(completed.filter((s) => s !== 'ACTIVATE').sort());

    const events = await t.database.db.selectFrom('outbox').select('type').where('aggregateId', '=', created.id).orderBy('id').execute();
    expect(events[0]?.type).toBe('tenant.created');
    expect(events.at(-1)?.type).toBe('tenant.provisioned');
    expect(events.filter((e) => e.type === 'tenant.provisioning.step_completed')).toHaveLength(completed.length - 1);

    // Every object of the tenant in the simulated cluster was applied exactly once.
    const ns = `matih-${created.slug}`;
    const objects = await t.database.db
      .selectFrom('simObjects')
      .select(['kind', 'name', 'applyCount'])
      .where((eb) => eb.or([eb('namespace', '=', ns), eb.and([eb('kind', '=', 'Namespace'), eb('name', '=', ns)])]))
      .execute();
    expect(objects.length).toBeGreaterThan(20);
    expect(objects.filter((r) => r.applyCount !== 1)).toEqual([]);
    // Enterprise: the simulated Terraform holds the tenant's state under its key (spec/003 terraformStateKey).
    const resources = await listSimResources(t.database.db, created.id);
    expect(resources.map((r) => `${r.kind}/${r.name}`)).toEqual(tier === 'ENTERPRISE' ? [`TerraformState/tenants/${created.id}.tfstate`] : []);
  });
});

describe('the status of a job not yet claimed', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No worker runs: the job stays PENDING.
    t = await startTestApp({ engine: { concurrency: 0 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows the status of spec/003 while a job is pending', async () => {
    const created = await createTenantViaApi(t.app);
    const s = await status(t.app, created.id);
    expect(s).toMatchObject({ status: 'PROVISIONING', currentPhase: 'ALLOCATING_SHARED_CLUSTER', completedPhases: ['VALIDATING_INPUT', 'CREATING_TENANT_RECORD'], retryCount: 0 });
    expect(s.remainingPhases).toEqual(['CONFIGURING_QUOTAS', 'DEPLOYING_SERVICES', 'VERIFYING_CONNECTIVITY']);
    expect(s.progress).toBeGreaterThanOrEqual(0);
    expect(s.progress).toBeLessThan(5);
    expect(new Date(s.estimatedCompletion!).getTime()).toBeGreaterThan(Date.now() + 5 * 60_000);
    const rows = await sql<{ n: number }>`select count(*)::int as n from provisioning_audit_logs where tenant_id = ${created.id}`.execute(t.database.db);
    expect(rows.rows[0]?.n).toBe(2);
  });
});
