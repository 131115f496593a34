import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../src/domain/features.js';
import { type CreatedTenantResponse, type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp } from '../support/test-app.js';

interface Feature {
  name: string;
  minimumTier: string;
  tierDefault: boolean;
  enabled: boolean;
  source: 'tier' | 'override';
  override: boolean | null;
}
interface Features {
  tenantId: string;
  tier: string;
  features: Feature[];
  flags: Record<string, boolean>;
  overrides: Record<string, boolean>;
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}
interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { field: string; message: string; in: string }[];
}

const MISSING = '00000000-0000-7000-8000-000000000000';

describe('tenant feature flags API', () => {
  let t: TestApp;
  const tenants: Record<'FREE' | 'PROFESSIONAL' | 'ENTERPRISE', CreatedTenantResponse> = {} as never;
  const url = (id: string) => `/api/v1/tenants/${id}/features`;

  const get = (id: string, headers: Record<string, string> = adminAuth) => t.app.inject({ method: 'GET', url: url(id), headers });
  const patch = (id: string, payload: unknown, headers: Record<string, string> = adminAuth) =>
    t.app.inject({ method: 'PATCH', url: url(id), headers: { ...headers, 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify(payload) });

  function expectProblem(res: Awaited<ReturnType<typeof get>>, status: number, field?: string): Problem {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json<Problem>();
    if (field !== undefined) expect(problem.errors?.map((e) => e.field)).toContain(field);
    return problem;
  }

  const enabled = (body: Features) => body.features.filter((f) => f.enabled).map((f) => f.name);

  beforeAll(async () => {
    t = await startTestApp();
    tenants.FREE = await createTenantViaApi(t.app, { tier: 'FREE' });
    tenants.PROFESSIONAL = await createTenantViaApi(t.app, { tier: 'PROFESSIONAL' });
    tenants.ENTERPRISE = await createTenantViaApi(t.app, { tier: 'ENTERPRISE' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("reads every tier's defaults, all from the tier, at version 0 with the version as ETag", async () => {
    const expected = {
      FREE: ['analytics.basic', 'ai.assist'],
      PROFESSIONAL: ['analytics.basic', 'ai.assist', 'analytics.full', 'ai.chat', 'ml.workbench'],
      ENTERPRISE: [...FEATURE_NAMES],
    };
    for (const tier of ['FREE', 'PROFESSIONAL', 'ENTERPRISE'] as const) {
      const res = await get(tenants[tier].id);
      expect(res.statusCode, tier).toBe(200);
      expect(res.headers.etag).toBe('"0"');
      const body = res.json<Features>();
      expect(body).toMatchObject({ tenantId: tenants[tier].id, tier, version: 0, overrides: {}, updatedAt: null, updatedBy: null });
      expect(body.features.map((f) => f.name)).toEqual([...FEATURE_NAMES]);
      expect(enabled(body), tier).toEqual(expected[tier]);
      expect(body.features.every((f) => f.source === 'tier' && f.override === null)).toBe(true);
      expect(Object.entries(body.flags).filter(([, on]) => on).map(([name]) => name)).toEqual(expected[tier]);
    }
  });

  it('lets the tenant admin switch a flag off, records who did, and emits an event', async () => {
    const tenant = tenants.PROFESSIONAL;
    const res = await patch(tenant.id, { 'ai.chat': false }, bearer(tenant.initialApiKey.key));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers.etag).toBe('"1"');
    const body = res.json<Features>();
    expect(body.features.find((f) => f.name === 'ai.chat')).toMatchObject({ tierDefault: true, enabled: false, source: 'override', override: false });
    expect(body.flags['ai.chat']).toBe(false);
    expect(body.flags['ml.workbench']).toBe(true);
    expect(body).toMatchObject({ version: 1, overrides: { 'ai.chat': false }, updatedBy: `api-key:${tenant.initialApiKey.id}` });
    expect(body.updatedAt).not.toBeNull();

    expect((await get(tenant.id)).json<Features>()).toMatchObject({ version: 1, flags: { 'ai.chat': false } });
    const events = await sql<{ payload: { version: number; overrides: Record<string, boolean> } }>`
      select payload from outbox where aggregate_id = ${tenant.id} and type = 'tenant.features.changed'`.execute(t.database.db);
    expect(events.rows.map((r) => r.payload)).toEqual([expect.objectContaining({ version: 1, overrides: { 'ai.chat': false } })]);
  });

  it('removes an override with null: the flag is the tier default again', async () => {
    const tenant = tenants.PROFESSIONAL;
    await patch(tenant.id, { 'ml.workbench': false });
    const res = await patch(tenant.id, { 'ai.chat': null, 'ml.workbench': null });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<Features>();
    expect(body.overrides).toEqual({});
    expect(body.features.find((f) => f.name === 'ai.chat')).toMatchObject({ enabled: true, source: 'tier', override: null });
    expect(enabled(body)).toEqual(['analytics.basic', 'ai.assist', 'analytics.full', 'ai.chat', 'ml.workbench']);
  });

  it('refuses switching on a flag above the tier with 400 naming the flag, and stores nothing', async () => {
    const tenant = tenants.FREE;
    const before = (await get(tenant.id)).json<Features>();
    const problem = expectProblem(await patch(tenant.id, { 'ai.chat': true, 'analytics.basic': false }), 400, 'ai.chat');
    expect(problem.errors?.find((e) => e.field === 'ai.chat')?.message).toMatch(/PROFESSIONAL tier/);
    expect(problem.detail).toContain('ai.chat');
    const after = (await get(tenant.id)).json<Features>();
    expect(after.version).toBe(before.version);
    expect(after.flags).toEqual(before.flags);
    // Within the tier the same request is fine; an Enterprise flag is refused on Professional too.
    expect((await patch(tenant.id, { 'analytics.basic': false })).statusCode).toBe(200);
    expectProblem(await patch(tenants.PROFESSIONAL.id, { 'support.sla': true }), 400, 'support.sla');
    expect((await patch(tenants.ENTERPRISE.id, { 'support.sla': true })).statusCode).toBe(200);
  });

  it('refuses unknown flags, non-boolean values and empty patches with 400 naming the field', async () => {
    const id = tenants.ENTERPRISE.id;
    expectProblem(await patch(id, { 'ai.chatt': false }), 400, 'ai.chatt');
    expectProblem(await patch(id, { 'nope.never': null }), 400, 'nope.never');
    expectProblem(await patch(id, { 'ai.chat': 'yes' }), 400, 'ai.chat');
    expectProblem(await patch(id, {}), 400);
    expectProblem(await patch(id, ['ai.chat']), 400);
    const badEtag = expectProblem(await t.app.inject({ method: 'PATCH', url: url(id), headers: { ...adminAuth, 'if-match': 'yesterday' }, payload: { 'ai.chat': false } }), 400);
    expect(badEtag.errors?.[0]).toMatchObject({ field: 'If-Match', in: 'headers' });
  });

  it('needs a token; a Viewer reads but may not change; another tenant is not found', async () => {
    const tenant = tenants.PROFESSIONAL;
    expectProblem(await t.app.inject({ method: 'GET', url: url(tenant.id) }), 401);
    expectProblem(await t.app.inject({ method: 'PATCH', url: url(tenant.id), payload: { 'ai.chat': false } }), 401);

    const viewerKey = await t.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenant.id}/api-keys`, headers: adminAuth, payload: { name: 'viewer', role: 'Viewer' } });
    const viewer = bearer(viewerKey.json<{ key: string }>().key);
    expect((await get(tenant.id, viewer)).statusCode).toBe(200);
    expectProblem(await patch(tenant.id, { 'ai.chat': false }, viewer), 403);

    // A tenant's admin asking about another tenant learns nothing, not even that it exists.
    const otherAdmin = bearer(tenants.FREE.initialApiKey.key);
    expectProblem(await get(tenant.id, otherAdmin), 404);
    expectProblem(await patch(tenant.id, { 'ai.chat': false }, otherAdmin), 404);
  });

  it('answers 404 for a tenant that does not exist', async () => {
    expectProblem(await get(MISSING), 404);
    expectProblem(await patch(MISSING, { 'ai.chat': false }), 404);
  });

  describe('concurrent changes', () => {
    it('refuses a stale If-Match with 412 and changes nothing', async () => {
      const id = tenants.ENTERPRISE.id;
      const current = (await get(id)).json<Features>();
      const stale = await t.app.inject({ method: 'PATCH', url: url(id), headers: { ...adminAuth, 'if-match': `"${current.version + 1}"` }, payload: { 'ai.chat': false } });
      expectProblem(stale, 412);
      expect((await get(id)).json<Features>()).toMatchObject({ version: current.version, flags: current.flags });
      const ok = await t.app.inject({ method: 'PATCH', url: url(id), headers: { ...adminAuth, 'if-match': `"${current.version}"` }, payload: { 'ai.chat': false } });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.headers.etag).toBe(`"${current.version + 1}"`);
    });

    it('lets exactly one of several writers holding the same ETag win; the others get 412', async () => {
      const tenant = await createTenantViaApi(t.app, { tier: 'ENTERPRISE' });
      const flags = FEATURE_NAMES.slice(0, 6);
      const results = await Promise.all(
        flags.map((flag) =>
          t.app.inject({ method: 'PATCH', url: url(tenant.id), headers: { ...adminAuth, 'if-match': '"0"' }, payload: { [flag]: false } }),
        ),
      );
      const statuses = results.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([200, 412, 412, 412, 412, 412]);
      const winner = flags[results.findIndex((r) => r.statusCode === 200)] as string;
      expect((await get(tenant.id)).json<Features>()).toMatchObject({ version: 1, overrides: { [winner]: false } });
    });

    it('loses no update when writers without If-Match change different flags at once', async () => {
      const tenant = await createTenantViaApi(t.app, { tier: 'ENTERPRISE' });
      const results = await Promise.all(FEATURE_NAMES.map((flag) => patch(tenant.id, { [flag]: false })));
      expect(results.map((r) => r.statusCode)).toEqual(FEATURE_NAMES.map(() => 200));
      expect(results.map((r) => r.json<Features>().version).sort((a, b) => a - b)).toEqual(FEATURE_NAMES.map((_, i) => i + 1));
      const final = (await get(tenant.id)).json<Features>();
      expect(final.version).toBe(FEATURE_NAMES.length);
      expect(Object.values(final.flags).every((on) => !on)).toBe(true);
    });
  });

  it('describes both routes in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    expect(Object.keys(doc.paths['/api/v1/tenants/{id}/features'] ?? {}).sort()).toEqual(['get', 'patch']);
  });
});
