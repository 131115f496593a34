import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../src/api/problem.js';
import type { InfrastructureRequestSchema, TransitionSchema } from '../../src/api/schemas/infrastructure.js';
import { NOTHING_LEFT, tenantFootprint } from '../support/footprint.js';
import { status, waitForJobEnd } from '../support/provisioning.js';
import { type CreatedTenantResponse, type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp } from '../support/test-app.js';

/**
 * spec/000's infrastructure API on 8089 as its users drive it: the curl flow (provision, read,
 * update, deprovision, provision again, transitions), the declaration and its generations, what
 * each change does to the simulated cluster, and every refusal with the field or code it names.
 */

const LONG = 60_000;

type Infrastructure = Static<typeof InfrastructureRequestSchema>;
type Transition = Static<typeof TransitionSchema>;

/** spec/000's curl body, verbatim. */
const SPEC_BODY = { tier: 'professional', region: 'eastus', cloudProvider: 'AZURE', configuration: { databaseSize: 'Standard_D2s_v3', storageGb: 100, enableHa: false } };

const PROVISION_PHASES = ['REQUESTED', 'PLANNING', 'APPLYING', 'DEPLOYING', 'CONFIGURING', 'VERIFYING', 'ACTIVE'];

function expectProblem(res: LightMyRequestResponse, status: number, fields?: readonly string[]): Problem {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = res.json<Problem>();
  if (fields) expect([...new Set((problem.errors ?? []).map((e) => e.field))].sort()).toEqual([...fields].sort());
  return problem;
}

function api(t: () => TestApp) {
  const url = (id: string, rest = '') => `/api/v1/infrastructure/tenants/${id}${rest}`;
  return {
    get: (id: string, headers: Record<string, string> = adminAuth) => t().infra.inject({ method: 'GET', url: url(id), headers }),
    provision: (id: string, payload: unknown, headers: Record<string, string> = adminAuth) =>
      t().infra.inject({ method: 'POST', url: url(id, '/provision'), headers, payload: payload as Record<string, unknown> }),
    put: (id: string, payload: unknown, headers: Record<string, string> = adminAuth) =>
      t().infra.inject({ method: 'PUT', url: url(id), headers, payload: payload as Record<string, unknown> }),
    remove: (id: string, headers: Record<string, string> = adminAuth) => t().infra.inject({ method: 'DELETE', url: url(id), headers }),
    transitions: (id: string, query = '', headers: Record<string, string> = adminAuth) =>
      t().infra.inject({ method: 'GET', url: `${url(id, '/transitions')}${query ? `?${query}` : ''}`, headers }),
  };
}

describe('infrastructure API (spec/000) with the engine', () => {
  let t: TestApp;
  const infra = api(() => t);

  beforeAll(async () => {
    t = await startTestApp({ engine: { delayMs: 0 } });
  });
  afterAll(async () => {
    await t.close();
  });

  async function read(id: string): Promise<Infrastructure> {
    const res = await infra.get(id);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Infrastructure>();
  }

  const tenantStatus = async (id: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/tenants/${id}`, headers: adminAuth })).json<{ status: string }>().status;

  async function jobEnds(id: string, jobId: string): Promise<void> {
    const end = await waitForJobEnd(t.app, id, LONG);
    expect(end.job.id).toBe(jobId);
    expect(end.job.status, end.errorMessage ?? '').toBe('SUCCEEDED');
  }

  async function releases(namespace: string): Promise<Map<string, number | undefined>> {
    const objects = await t.engine!.cluster!.listAll(namespace, 'HelmRelease');
    return new Map(objects.map((o) => [o.metadata.name, ((o.spec as { values?: { replicaCount?: number } }).values ?? {}).replicaCount]));
  }

  it(
    'provisions, reads, updates, deprovisions and provisions again, with every transition in order',
    async () => {
      const tenant = await createTenantViaApi(t.app, { tier: 'PROFESSIONAL', region: 'eastus', cloudProvider: 'AZURE' });
      const namespace = `matih-${tenant.slug}`;
      await jobEnds(tenant.id, tenant.provisioningJobId);

      // GET: every field of spec/000's TenantInfrastructure, the declaration reached.
      const active = await read(tenant.id);
      expect(active).toMatchObject({
        tenantId: tenant.id,
        status: 'ACTIVE',
        cloudProvider: 'AZURE',
        region: 'eastus',
        namespace,
        configuration: { databaseSize: 'Standard_D2s_v3', storageGb: 100, enableHa: false },
        terraformStateKey: null,
        currentJob: null,
        desiredState: { tier: 'PROFESSIONAL', region: 'eastus', cloudProvider: 'AZURE', suspended: false, generation: 1, observedGeneration: 1 },
      });
      expect(active.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(active.id).not.toBe(tenant.id);
      expect(active.desiredState?.lastReconciledAt).not.toBeNull();

      // The same declaration again: nothing to do, no job.
      const same = await infra.provision(tenant.id, SPEC_BODY);
      expect(same.statusCode, same.body).toBe(200);
      expect(same.json<Infrastructure>()).toMatchObject({ status: 'ACTIVE', jobId: null, desiredState: { generation: 1 } });
      expect(same.headers.location).toBeUndefined();
      expect((await status(t.app, tenant.id)).job.id).toBe(tenant.provisioningJobId);

      // PUT: HA does not fit Professional's quota (two of each core service pass its CPU limits):
      // refused, naming the field, before anything changes.
      expectProblem(await infra.put(tenant.id, { configuration: { storageGb: 200, enableHa: true } }), 400, ['configuration.enableHa']);
      // More storage; the UPDATE job converges to generation 2.
      const put = await infra.put(tenant.id, { configuration: { storageGb: 200 } });
      expect(put.statusCode, put.body).toBe(202);
      const update = put.json<Infrastructure>();
      expect(update.jobId).toMatch(/^[0-9a-f-]{36}$/);
      expect(update.desiredState).toMatchObject({ generation: 2, configuration: { storageGb: 200, enableHa: false, databaseSize: 'Standard_D2s_v3' } });
      expect(put.headers.location).toBe(`/api/v1/infrastructure/tenants/${tenant.id}`);
      await jobEnds(tenant.id, update.jobId!);
      const updated = await read(tenant.id);
      expect(updated).toMatchObject({
        status: 'ACTIVE',
        configuration: { storageGb: 200, enableHa: false },
        desiredState: { generation: 2, observedGeneration: 2 },
        currentJob: null,
      });
      expect(await tenantStatus(tenant.id)).toBe('ACTIVE');

      // What the configuration does in the cluster: the storage quota, one of each service.
      const quotas = await t.engine!.cluster!.listAll(namespace, 'ResourceQuota');
      expect(quotas.map((q) => (q.spec as { hard: Record<string, string> }).hard['requests.storage'])).toEqual(['200Gi']);
      const replicas = await releases(namespace);
      for (const core of ['query-engine', 'ai-service', 'catalog-service']) expect(replicas.get(core), core).toBe(1);
      expect(replicas.get('bi-service')).toBe(1);

      // DELETE: everything goes, the record stays DEPROVISIONED.
      const del = await infra.remove(tenant.id);
      expect(del.statusCode, del.body).toBe(202);
      const deprovision = del.json<Infrastructure>();
      expect(deprovision.jobId).toMatch(/^[0-9a-f-]{36}$/);
      await jobEnds(tenant.id, deprovision.jobId!);
      expect(await read(tenant.id)).toMatchObject({ status: 'DEPROVISIONED', currentJob: null, namespace });
      expect(await tenantStatus(tenant.id)).toBe('DEPROVISIONED');
      expect(await tenantFootprint(t, tenant)).toEqual(NOTHING_LEFT);
      const again = await infra.remove(tenant.id);
      expect(again.statusCode, again.body).toBe(200);
      expect(again.json<Infrastructure>()).toMatchObject({ status: 'DEPROVISIONED', jobId: null });

      // POST provision: declared as spec/000's body says, and ACTIVE again.
      const post = await infra.provision(tenant.id, SPEC_BODY);
      expect(post.statusCode, post.body).toBe(202);
      const reprovision = post.json<Infrastructure>();
      expect(reprovision).toMatchObject({ status: 'PROVISIONING', phase: 'REQUESTED', desiredState: { generation: 3, configuration: SPEC_BODY.configuration } });
      expect(await tenantStatus(tenant.id)).toBe('PROVISIONING');
      await jobEnds(tenant.id, reprovision.jobId!);
      expect(await read(tenant.id)).toMatchObject({
        status: 'ACTIVE',
        configuration: SPEC_BODY.configuration,
        desiredState: { generation: 3, observedGeneration: 3 },
      });
      expect(await tenantStatus(tenant.id)).toBe('ACTIVE');
      const back = await tenantFootprint(t, tenant);
      expect(back.dns).toEqual({ zone: true, delegation: true });
      expect(back.database.rolePresent).toBe(true);
      expect((await releases(namespace)).get('query-engine')).toBe(1);

      // Every transition, in order, each from where the previous one left it.
      const res = await infra.transitions(tenant.id, 'limit=1000');
      expect(res.statusCode, res.body).toBe(200);
      const { items, nextCursor } = res.json<{ items: Transition[]; nextCursor: number | null }>();
      expect(nextCursor).toBeNull();
      expect(items.map((i) => i.toState)).toEqual([
        ...PROVISION_PHASES,
        'UPDATING', 'ACTIVE',
        'DEPROVISIONING', 'DEPROVISIONED',
        ...PROVISION_PHASES,
      ]);
      expect(items[0]).toMatchObject({ fromState: null, trigger: 'tenant.created', tenantId: tenant.id });
      items.slice(1).forEach((item, i) => expect(item.fromState, `transition ${i + 1}`).toBe(items[i]?.toState));
      expect(items.find((i) => i.toState === 'UPDATING')?.jobId).toBe(update.jobId);
      expect(items.find((i) => i.toState === 'DEPROVISIONED')?.jobId).toBe(deprovision.jobId);
      expect(items.filter((i) => i.trigger === 'provision.requested').map((i) => i.jobId)).toEqual([reprovision.jobId]);

      // Paged by seq, the pages add up to the whole.
      const paged: Transition[] = [];
      let after = 0;
      for (;;) {
        const page = (await infra.transitions(tenant.id, `limit=5&after=${after}`)).json<{ items: Transition[]; nextCursor: number | null }>();
        paged.push(...page.items);
        if (page.nextCursor === null) break;
        after = page.nextCursor;
      }
      expect(paged).toEqual(items);
    },
    LONG * 3,
  );

  it(
    'a FREE tenant moved to PROFESSIONAL by PUT gets the Professional-only services; ENTERPRISE is a migration; a downgrade needs room for its users',
    async () => {
      const tenant = await createTenantViaApi(t.app, { tier: 'FREE' });
      const namespace = `matih-${tenant.slug}`;
      await jobEnds(tenant.id, tenant.provisioningJobId);
      const before = await releases(namespace);
      expect(before.has('ml-service')).toBe(false);
      expect(before.has('query-engine')).toBe(true);

      const res = await infra.put(tenant.id, { tier: 'professional' });
      expect(res.statusCode, res.body).toBe(202);
      const body = res.json<Infrastructure>();
      // Free's configuration is carried over: it fits Professional as it is.
      expect(body.desiredState).toMatchObject({ tier: 'PROFESSIONAL', generation: 2, configuration: { storageGb: 10, enableHa: false } });
      await jobEnds(tenant.id, body.jobId!);

      const after = await releases(namespace);
      for (const service of ['ml-service', 'data-quality-service', 'ontology-service', 'governance-service', 'ops-agent-service']) {
        expect(after.has(service), service).toBe(true);
      }
      expect(await read(tenant.id)).toMatchObject({ status: 'ACTIVE', desiredState: { tier: 'PROFESSIONAL', generation: 2, observedGeneration: 2 } });
      const row = await t.database.db.selectFrom('tenants').select('tier').where('id', '=', tenant.id).executeTakeFirstOrThrow();
      expect(row.tier).toBe('PROFESSIONAL');
      const subscription = await t.database.db.selectFrom('billingSubscriptions').select('planId').where('tenantId', '=', tenant.id).executeTakeFirstOrThrow();
      expect(subscription.planId).toBe('professional-monthly');

      const enterprise = expectProblem(await infra.put(tenant.id, { tier: 'ENTERPRISE' }), 409);
      expect(enterprise.code).toBe('tier_migration_unsupported');
      expect(enterprise.detail).toMatch(/migration/);
      // Nor through POST provision, which also refuses another region.
      expect(expectProblem(await infra.provision(tenant.id, { ...SPEC_BODY, tier: 'enterprise' }), 409).code).toBe('tier_migration_unsupported');
      expect(expectProblem(await infra.provision(tenant.id, { ...SPEC_BODY, region: 'westeurope' }), 409, ['region']).code).toBe('migration_unsupported');

      // Six users do not fit Free's five.
      await t.database.db
        .insertInto('users')
        .values(Array.from({ length: 5 }, (_, i) => ({ id: randomUUID(), tenantId: tenant.id, email: `user${i}@${tenant.slug}.example.com`, displayName: null, status: 'ACTIVE', isTenantAdmin: false })))
        .execute();
      const down = expectProblem(await infra.put(tenant.id, { tier: 'free' }), 409, ['tier']);
      expect(down.code).toBe('too_many_users');
      expect(down.detail).toMatch(/6 users/);
      expect((await read(tenant.id)).desiredState).toMatchObject({ tier: 'PROFESSIONAL', generation: 2 });
    },
    LONG * 2,
  );

  it(
    'an Enterprise tenant is deprovisioned down to an empty Terraform state, and provisioned again under the same key',
    async () => {
      const tenant = await createTenantViaApi(t.app, { tier: 'ENTERPRISE' });
      await jobEnds(tenant.id, tenant.provisioningJobId);
      expect(await read(tenant.id)).toMatchObject({ status: 'ACTIVE', terraformStateKey: `tenants/${tenant.id}.tfstate` });
      expect((await tenantFootprint(t, tenant)).terraformResources).toBeGreaterThan(0);

      const del = await infra.remove(tenant.id);
      expect(del.statusCode, del.body).toBe(202);
      await jobEnds(tenant.id, del.json<Infrastructure>().jobId!);
      expect(await tenantFootprint(t, tenant)).toEqual(NOTHING_LEFT);

      const post = await infra.provision(tenant.id, { tier: 'Enterprise', region: 'eastus', cloudProvider: 'azure' });
      expect(post.statusCode, post.body).toBe(202);
      await jobEnds(tenant.id, post.json<Infrastructure>().jobId!);
      expect(await read(tenant.id)).toMatchObject({ status: 'ACTIVE', terraformStateKey: `tenants/${tenant.id}.tfstate` });
      expect((await tenantFootprint(t, tenant)).terraformResources).toBeGreaterThan(0);
    },
    LONG * 3,
  );

  it(
    'a tenant whose provisioning failed is provisioned again by POST, where it was placed',
    async () => {
      t.engine!.faults.configure({ faults: [{ step: 'VERIFY', kind: 'permanent', times: 0 }] });
      const tenant = await createTenantViaApi(t.app, { tier: 'PROFESSIONAL' });
      const failed = await waitForJobEnd(t.app, tenant.id, LONG);
      t.engine!.faults.configure({ faults: [] });
      expect(failed).toMatchObject({ status: 'FAILED' });
      expect((await read(tenant.id)).status).toBe('FAILED');

      expect(expectProblem(await infra.provision(tenant.id, { ...SPEC_BODY, region: 'westus2' }), 409, ['region']).code).toBe('migration_unsupported');
      const post = await infra.provision(tenant.id, SPEC_BODY);
      expect(post.statusCode, post.body).toBe(202);
      expect(post.json<Infrastructure>()).toMatchObject({ status: 'PROVISIONING', phase: 'REQUESTED', desiredState: { generation: 1 } });
      await jobEnds(tenant.id, post.json<Infrastructure>().jobId!);
      expect(await read(tenant.id)).toMatchObject({ status: 'ACTIVE', desiredState: { generation: 1, observedGeneration: 1 } });
      const tenantRow = await t.database.db.selectFrom('tenants').selectAll().where('id', '=', tenant.id).executeTakeFirstOrThrow();
      expect(tenantRow).toMatchObject({ status: 'ACTIVE', provisioningError: null });
      const toStates = (await infra.transitions(tenant.id, 'limit=1000')).json<{ items: Transition[] }>().items.map((i) => i.toState);
      expect(toStates.slice(toStates.lastIndexOf('FAILED'))).toEqual(['FAILED', ...PROVISION_PHASES]);
    },
    LONG * 2,
  );
});

describe('infrastructure API (spec/000) requests and refusals', () => {
  let t: TestApp;
  let tenant: CreatedTenantResponse;
  let other: CreatedTenantResponse;
  const infra = api(() => t);

  beforeAll(async () => {
    // No worker: the provisioning jobs stay PENDING, in flight for as long as the tests need.
    t = await startTestApp({ engine: { concurrency: 0 }, enabledCloudProviders: ['AZURE', 'GCP'] });
    tenant = await createTenantViaApi(t.app, { tier: 'PROFESSIONAL' });
    other = await createTenantViaApi(t.app, { tier: 'PROFESSIONAL' });
  });
  afterAll(async () => {
    await t.close();
  });

  it("shows a tenant still provisioning: spec/000's PROVISIONING at phase REQUESTED, the declaration not reached, its job", async () => {
    const body = (await infra.get(tenant.id)).json<Infrastructure>();
    expect(body).toMatchObject({
      tenantId: tenant.id,
      status: 'PROVISIONING',
      phase: 'REQUESTED',
      namespace: `matih-${tenant.slug}`,
      configuration: {},
      terraformStateKey: null,
      desiredState: { tier: 'PROFESSIONAL', generation: 1, observedGeneration: 0, lastReconciledAt: null, configuration: { storageGb: 100, enableHa: false } },
      currentJob: { id: tenant.provisioningJobId, kind: 'PROVISION', status: 'PENDING' },
    });
    const transitions = (await infra.transitions(tenant.id)).json<{ items: Transition[] }>().items;
    expect(transitions).toMatchObject([{ fromState: null, toState: 'REQUESTED', trigger: 'tenant.created', jobId: tenant.provisioningJobId }]);
  });

  it('an Enterprise tenant has its Terraform state key', async () => {
    const enterprise = await createTenantViaApi(t.app, { tier: 'ENTERPRISE' });
    expect((await infra.get(enterprise.id)).json<Infrastructure>().terraformStateKey).toBe(`tenants/${enterprise.id}.tfstate`);
  });

  it('refuses to provision, update or deprovision while the provisioning job is in flight, naming it', async () => {
    const provision = expectProblem(await infra.provision(tenant.id, SPEC_BODY), 409, ['status']);
    expect(provision.code).toBe('job_in_flight');
    expect(provision.detail).toContain(tenant.provisioningJobId);
    const del = expectProblem(await infra.remove(tenant.id), 409);
    expect(del.code).toBe('job_in_flight');
    expect(del.detail).toContain(tenant.provisioningJobId);
    const put = expectProblem(await infra.put(tenant.id, { configuration: { storageGb: 200 } }), 409);
    expect(put.code).toBe('tenant_not_active');
    expect(put.detail).toContain('PROVISIONING');
    expect((await infra.get(tenant.id)).json<Infrastructure>().desiredState?.generation).toBe(1);
  });

  it('names every invalid field of a provision request at once', async () => {
    const bad = expectProblem(
      await infra.provision(tenant.id, { tier: 'platinum', region: 'eastus', cloudProvider: 'IBM', configuration: { storageGb: 'lots', enableHa: 'yes', disks: 3 } }),
      400,
      ['tier', 'cloudProvider', 'configuration.storageGb', 'configuration.enableHa', 'configuration.disks'],
    );
    expect(bad.code).toBe('validation_failed');
    // HA is not a Free thing, and Free's storage stops at 50 GB.
    expectProblem(
      await infra.provision(tenant.id, { tier: 'FREE', region: 'eastus', cloudProvider: 'AZURE', configuration: { enableHa: true, storageGb: 51 } }),
      400,
      ['configuration.enableHa', 'configuration.storageGb'],
    );
    const disabled = expectProblem(await infra.provision(tenant.id, { ...SPEC_BODY, cloudProvider: 'aws', region: 'us-east-1' }), 400, ['cloudProvider']);
    expect(disabled.detail).toMatch(/not enabled/);
    expectProblem(await infra.provision(tenant.id, { ...SPEC_BODY, cloudProvider: 'GCP' }), 400, ['region']);
    expectProblem(await infra.provision(tenant.id, { ...SPEC_BODY, extra: true }), 400, ['extra']);
    expectProblem(await infra.provision(tenant.id, {}), 400, ['tier', 'region', 'cloudProvider']);
    expectProblem(await infra.provision(tenant.id, { ...SPEC_BODY, configuration: 'big' }), 400, ['configuration']);
  });

  it('names every invalid field of an update', async () => {
    expectProblem(await infra.put(tenant.id, { tier: 'gold' }), 400, ['tier']);
    expectProblem(await infra.put(tenant.id, { configuration: { storageGb: 5000, databaseSize: 'x y' } }), 400, ['configuration.storageGb', 'configuration.databaseSize']);
    expectProblem(await infra.put(tenant.id, { tier: 'free', configuration: { enableHa: true } }), 400, ['configuration.enableHa']);
    expectProblem(await infra.put(tenant.id, { size: 3 }), 400, ['size']);
  });

  it('reads a request with no body as the empty object its schema checked (the route fuzzer found a 500)', async () => {
    const url = `/api/v1/infrastructure/tenants/${tenant.id}`;
    // An update with nothing in it: as `{}` would be, refused for the tenant's state, not a TypeError.
    const put = expectProblem(await t.infra.inject({ method: 'PUT', url, headers: adminAuth }), 409);
    expect(put.code).toBe('tenant_not_active');
    // A provision request with no body names what it needs.
    expectProblem(await t.infra.inject({ method: 'POST', url: `${url}/provision`, headers: adminAuth }), 400, ['tier', 'region', 'cloudProvider']);
  });

  it('answers 400 naming tenantId for an id that is not a UUID, and 404 for a tenant that does not exist', async () => {
    const bad = expectProblem(await infra.get('550e8400'), 400, ['tenantId']);
    expect(bad.errors?.[0]?.in).toBe('params');
    expectProblem(await infra.provision('550e8400', SPEC_BODY), 400, ['tenantId']);
    const unknown = randomUUID();
    expectProblem(await infra.get(unknown), 404);
    expectProblem(await infra.provision(unknown, SPEC_BODY), 404);
    expectProblem(await infra.put(unknown, { configuration: { storageGb: 20 } }), 404);
    expectProblem(await infra.remove(unknown), 404);
    expectProblem(await infra.transitions(unknown), 404);
    expectProblem(await infra.transitions(tenant.id, 'limit=0'), 400, ['limit']);
    expectProblem(await infra.transitions(tenant.id, 'limit=1001'), 400, ['limit']);
    expectProblem(await infra.transitions(tenant.id, 'after=-1'), 400, ['after']);
  });

  it("lets a tenant's own key read its infrastructure, and nothing more", async () => {
    const own = bearer(tenant.initialApiKey.key);
    expect((await infra.get(tenant.id, own)).statusCode).toBe(200);
    expect((await infra.transitions(tenant.id, '', own)).statusCode).toBe(200);
    expectProblem(await infra.provision(tenant.id, SPEC_BODY, own), 403);
    expectProblem(await infra.put(tenant.id, { configuration: { storageGb: 20 } }, own), 403);
    expectProblem(await infra.remove(tenant.id, own), 403);
    // Another tenant's infrastructure does not exist as far as this key can tell.
    expectProblem(await infra.get(other.id, own), 404);
    expectProblem(await infra.transitions(other.id, '', own), 404);
    expectProblem(await infra.get(tenant.id, {}), 401);
  });

  it('refuses a suspended tenant (reactivate first) and treats a deleted one as gone', async () => {
    const db = t.database.db;
    await db.updateTable('tenants').set({ status: 'SUSPENDED' }).where('id', '=', other.id).execute();
    const suspended = expectProblem(await infra.put(other.id, { configuration: { storageGb: 20 } }), 409);
    expect(suspended.code).toBe('tenant_suspended');
    expect(suspended.detail).toMatch(/reactivate/);
    await db.updateTable('tenants').set({ status: 'DELETED' }).where('id', '=', other.id).execute();
    expectProblem(await infra.provision(other.id, SPEC_BODY), 404);
    expectProblem(await infra.put(other.id, { configuration: { storageGb: 20 } }), 404);
    expectProblem(await infra.remove(other.id), 404);
  });

  it('describes the routes in its OpenAPI document', async () => {
    const doc = (await t.infra.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { tags?: string[] }>> }>();
    const base = '/api/v1/infrastructure/tenants/{tenantId}';
    expect(Object.keys(doc.paths[base] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
    expect(doc.paths[`${base}/provision`]?.post?.tags).toEqual(['infrastructure']);
    expect(doc.paths[`${base}/transitions`]?.get?.tags).toEqual(['infrastructure']);
  });
});
