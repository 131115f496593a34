import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrincipalRole } from '../../src/domain/roles.js';
import { type HistoryEntry, history, waitForJobEnd } from '../support/provisioning.js';
import { type CreatedTenantResponse, type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp } from '../support/test-app.js';

/** GET /api/v1/tenants/:id/audit: what an auditor of a tenant's transitions and operations relies on. */

interface AuditEntry {
  seq: number;
  time: string;
  kind: string;
  trigger: string;
  fromState: string | null;
  toState: string | null;
  step: string | null;
  jobId: string | null;
  actor: string;
  details: Record<string, unknown>;
}

interface AuditPage {
  items: AuditEntry[];
  nextCursor: number | null;
}

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { field: string; message: string; in: string }[];
}

const WORKER = 'audit-test-worker';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function expectProblem(res: LightMyRequestResponse, status: number, fields?: readonly string[]): Problem {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = res.json<Problem>();
  expect(problem.status).toBe(status);
  if (fields) expect([...new Set((problem.errors ?? []).map((e) => e.field))].sort()).toEqual([...fields].sort());
  return problem;
}

describe('audit API', () => {
  let t: TestApp;
  let tenant: CreatedTenantResponse;
  let other: CreatedTenantResponse;
  /** The tenant's whole audit after its provisioning, read unfiltered in one page. */
  let all: AuditEntry[];

  const audit = (tenantId: string, query = '', headers: Record<string, string> = adminAuth) =>
    t.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantId}/audit${query ? `?${query}` : ''}`, headers });

  async function page(query: string): Promise<AuditPage> {
    const res = await audit(tenant.id, query);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<AuditPage>();
  }

  /** Follows nextCursor from the start to the end; every page but the last is full. */
  async function everyPage(query: string, limit: number): Promise<AuditEntry[]> {
    const seen: AuditEntry[] = [];
    let after = 0;
    for (let pages = 0; pages < 200; pages += 1) {
      const p = await page(`${query}&limit=${limit}&after=${after}`);
      seen.push(...p.items);
      if (p.nextCursor === null) return seen;
      expect(p.items).toHaveLength(limit);
      expect(p.nextCursor).toBe(p.items.at(-1)?.seq);
      after = p.nextCursor;
    }
    throw new Error('paging did not end');
  }

  beforeAll(async () => {
    t = await startTestApp({ engine: { owner: WORKER } });
    tenant = await createTenantViaApi(t.app);
    other = await createTenantViaApi(t.app);
    expect((await waitForJobEnd(t.app, tenant.id)).job.status).toBe('SUCCEEDED');
    expect((await waitForJobEnd(t.app, other.id)).job.status).toBe('SUCCEEDED');
    const p = await page('limit=500');
    expect(p.nextCursor).toBeNull();
    all = p.items;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('lists every transition of the provisioning in order, with actor, trigger and details', async () => {
    expect(all.length).toBeGreaterThan(10);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    for (const e of all) {
      expect(e.time).toMatch(ISO_DATE);
      expect(e.jobId).toBe(tenant.provisioningJobId);
      expect(typeof e.details).toBe('object');
    }
    // The synchronous stages are the creator's doing; everything after, the worker's.
    expect(all[0]).toMatchObject({ kind: 'STAGE', trigger: 'stage.completed', fromState: 'INITIAL', actor: 'bootstrap', details: { synchronous: true } });
    const started = all.find((e) => e.trigger === 'job.started');
    expect(started).toMatchObject({ kind: 'JOB', actor: WORKER, details: { kind: expect.any(String) as unknown, tier: 'PROFESSIONAL' } });
    expect(all.at(-1)).toMatchObject({ kind: 'JOB', trigger: 'job.succeeded', toState: 'COMPLETED', actor: WORKER });
    expect(all.at(-1)?.details.durationMs).toEqual(expect.any(Number));
    expect(all.filter((e) => e.kind === 'STEP' && e.trigger === 'step.completed').length).toBeGreaterThan(3);

    // The provisioning history is a view of the same rows.
    const entries: HistoryEntry[] = await history(t.app, tenant.id);
    const shared = (e: HistoryEntry) => ({ seq: e.seq, kind: e.kind, trigger: e.trigger, step: e.step, fromState: e.fromState, toState: e.toState, details: e.details, createdAt: e.createdAt });
    expect(all.map((e) => shared({ ...e, createdAt: e.time }))).toEqual(entries.map(shared));
  });

  it('filters by kind, repeated or comma-separated in any case, and by trigger', async () => {
    const jobs = all.filter((e) => e.kind === 'JOB');
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    expect((await page('kind=JOB')).items).toEqual(jobs);

    const jobsAndStages = all.filter((e) => e.kind === 'JOB' || e.kind === 'STAGE');
    expect(jobsAndStages.length).toBeGreaterThan(jobs.length);
    expect((await page('kind=JOB,STAGE')).items).toEqual(jobsAndStages);
    expect((await page('kind=stage&kind=job')).items).toEqual(jobsAndStages);

    // A kind that exists but did not happen: an empty answer, not an error.
    expect(await page('kind=ROLLBACK')).toEqual({ items: [], nextCursor: null });

    const completed = all.filter((e) => e.trigger === 'step.completed' || e.trigger === 'job.succeeded');
    expect((await page('trigger=step.completed,job.succeeded')).items).toEqual(completed);
    expect((await page('trigger=step.completed&kind=JOB')).items).toEqual([]);
    expect((await page('trigger=nothing.like.this')).items).toEqual([]);
  });

  it('filters by a time window: from inclusive, to exclusive', async () => {
    // Boundaries strictly inside gaps between entries, so the sub-millisecond part of stored times cannot matter.
    const times = [...new Set(all.map((e) => Date.parse(e.time)))].sort((a, b) => a - b);
    const gaps = times.slice(1).flatMap((time, i) => (time - times[i]! >= 2 ? [times[i]! + 1] : []));
    expect(gaps.length, 'a provisioning spans more than one instant').toBeGreaterThanOrEqual(2);
    const [a, b] = [gaps[0]!, gaps.at(-1)!];
    const iso = (ms: number) => new Date(ms).toISOString();

    const before = (await page(`to=${iso(a)}`)).items;
    const after = (await page(`from=${iso(a)}`)).items;
    expect(before).toEqual(all.filter((e) => Date.parse(e.time) < a));
    expect(after).toEqual(all.filter((e) => Date.parse(e.time) >= a));
    expect(before.length).toBeGreaterThan(0);
    expect([...before, ...after]).toEqual(all);

    const window = (await page(`from=${iso(a)}&to=${iso(b)}`)).items;
    expect(window).toEqual(all.filter((e) => Date.parse(e.time) >= a && Date.parse(e.time) < b));
    expect(window.length).toBeGreaterThan(0);
    expect(window.length).toBeLessThan(after.length);

    // The same instant written with another offset.
    const plusTwo = new Date(a + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    expect((await page(`from=${encodeURIComponent(plusTwo)}`)).items).toEqual(after);
    // An empty window is an answer, not an error.
    expect((await page(`from=${iso(a)}&to=${iso(a)}`)).items).toEqual([]);
    // Time and kind together.
    expect((await page(`from=${iso(a)}&kind=STEP`)).items).toEqual(after.filter((e) => e.kind === 'STEP'));
  });

  it('takes from and to at the exact instant: an entry at from is in, an entry at to is out', async () => {
    // Entries at whole milliseconds (times the engine's now() never gives exactly), after the other tenant's history.
    const last = (await audit(other.id, 'limit=500')).json<AuditPage>().items.at(-1)!.seq;
    const at = (ms: number) => new Date(Date.UTC(2001, 0, 1, 0, 0, 0, ms));
    await t.database.db
      .insertInto('provisioningAuditLogs')
      .values([0, 1, 2].map((ms) => ({
        tenantId: other.id,
        seq: last + 1 + ms,
        jobId: other.provisioningJobId,
        kind: 'OPERATION',
        trigger: 'audit.test_marker',
        details: JSON.stringify({ ms }),
        actor: 'audit-test',
        createdAt: at(ms),
      })))
      .execute();
    const marks = async (query: string) => {
      const res = await audit(other.id, `${query}&trigger=audit.test_marker`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<AuditPage>().items.map((e) => e.details.ms);
    };
    expect(await marks(`from=${at(0).toISOString()}&to=${at(2).toISOString()}`)).toEqual([0, 1]);
    expect(await marks(`from=${at(1).toISOString()}&to=${at(3).toISOString()}`)).toEqual([1, 2]);
    expect(await marks(`from=${at(1).toISOString()}&to=${at(1).toISOString()}`)).toEqual([]);
    expect(await marks(`to=${at(1).toISOString()}`)).toEqual([0]);
  });

  it('pages with the cursor through exactly the unpaged list, filtered or not', async () => {
    expect(await everyPage('', 7)).toEqual(all);
    expect(await everyPage('', 1)).toEqual(all);
    expect(await everyPage('kind=STEP', 4)).toEqual(all.filter((e) => e.kind === 'STEP'));
    // A page that ends exactly at the last entry says there is no next page.
    expect((await page(`limit=${all.length}`)).nextCursor).toBeNull();
    expect((await page(`limit=${all.length - 1}`)).nextCursor).toBe(all.length - 1);
    expect(await page(`after=${all.length}`)).toEqual({ items: [], nextCursor: null });
    // The default page size is 100.
    expect((await page('')).items).toEqual(all.slice(0, 100));
  });

  it('rejects bad parameters with a 400 naming each one', async () => {
    const bad = async (query: string, fields: string[]) => expectProblem(await audit(tenant.id, query), 400, fields);
    await bad('from=yesterday', ['from']);
    await bad('to=2024-13-01T00:00:00Z', ['to']);
    await bad('from=2024-01-01T00:00:00', ['from']); // no offset: not RFC 3339
    await bad(`from=${encodeURIComponent('2024-01-02T00:00:00Z')}&to=${encodeURIComponent('2024-01-01T00:00:00Z')}`, ['from']);
    await bad('from=2016-12-31T23:59:60Z', ['from']);
    await bad('from=2024-01-01T00:00:00Z&from=2024-01-02T00:00:00Z', ['from']);
    const unknown = await bad('kind=JOB,BOGUS', ['kind']);
    expect(unknown.detail).toContain('BOGUS');
    await bad('kind=', ['kind']);
    await bad('trigger=DROP%20TABLE', ['trigger']);
    await bad('limit=0', ['limit']);
    await bad('limit=501', ['limit']);
    await bad('limit=ten', ['limit']);
    await bad('after=-1', ['after']);
    await bad('after=99999999999', ['after']);
    await bad('colour=blue', ['colour']);
    // Every wrong parameter at once: the schema's checks first, then the ones that read the values.
    await bad('limit=0&to=soon&kind=JOB', ['limit', 'to']);
    await bad(`kind=NOPE&trigger=Bad&from=${encodeURIComponent('2024-01-02T00:00:00Z')}&to=${encodeURIComponent('2024-01-01T00:00:00Z')}`, ['from', 'kind', 'trigger']);
    expectProblem(await audit('not-a-uuid'), 400, ['id']);
    // The history route reads the same rows: a cursor past seq's integer range is a 400 there too, not a 500.
    const history = await t.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenant.id}/provisioning/history?after=99999999999`, headers: adminAuth });
    expectProblem(history, 400, ['after']);
  });

  it('401 without credentials, 403 for a role without tenant:read, 404 for unknown and foreign tenants', async () => {
    expectProblem(await audit(tenant.id, '', {}), 401);
    expectProblem(await audit(tenant.id, '', bearer('not-a-token')), 401);

    // A key whose role (as its row says: the token's claims are not trusted) holds no permission at all.
    const created = await t.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenant.id}/api-keys`, headers: adminAuth, payload: { name: 'no-rights', role: 'Viewer' } });
    const key = created.json<{ id: string; key: string }>();
    await t.database.db.updateTable('apiKeys').set({ role: 'Auditor' }).where('id', '=', key.id).execute();
    const { token } = await t.deps.tokens.issue({ role: 'Auditor' as PrincipalRole, tenantId: tenant.id, apiKeyId: key.id });
    expectProblem(await audit(tenant.id, '', bearer(token)), 403);
    expectProblem(await audit(tenant.id, '', bearer(key.key)), 403);
    // A token claiming a role its key does not have is not the key's: refused outright.
    const { token: claimed } = await t.deps.tokens.issue({ role: 'Admin', tenantId: tenant.id, apiKeyId: key.id });
    expectProblem(await audit(tenant.id, '', bearer(claimed)), 401);

    expectProblem(await audit(randomUUID()), 404);
    // Another tenant's key hears the same 404 as for a tenant that does not exist.
    expectProblem(await audit(tenant.id, '', bearer(other.initialApiKey.key)), 404);
  });

  it('is in the OpenAPI document with its parameters', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, { get?: { parameters?: { name: string; in: string }[] } }>;
    }>();
    const params = doc.paths['/api/v1/tenants/{id}/audit']?.get?.parameters ?? [];
    expect(params.filter((p) => p.in === 'query').map((p) => p.name).sort()).toEqual(['after', 'from', 'kind', 'limit', 'to', 'trigger']);
  });

  it("a tenant's own keys, down to Viewer, read its audit and see only its own entries", async () => {
    const own = await audit(tenant.id, 'limit=500', bearer(tenant.initialApiKey.key));
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json<AuditPage>().items).toEqual(all);

    const created = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenant.id}/api-keys`,
      headers: adminAuth,
      payload: { name: 'auditor', role: 'Viewer' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const viewer = bearer(created.json<{ key: string }>().key);
    const res = await audit(tenant.id, 'kind=JOB', viewer);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<AuditPage>().items).toEqual(all.filter((e) => e.kind === 'JOB'));

    const theirs = (await audit(other.id, 'limit=500', bearer(other.initialApiKey.key))).json<AuditPage>().items;
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.every((e) => e.jobId === other.provisioningJobId)).toBe(true);
  });
});
