import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, adminAuth, startTestApp, tenantBody } from '../support/test-app.js';

/**
 * Concurrent creates against a real listening server: the database, not a check-then-insert,
 * decides uniqueness, so a burst of creates neither loses tenants nor lets a duplicate through.
 */

interface Problem {
  status: number;
  code: string;
  errors?: Array<{ field: string; message: string; in: string }>;
}

interface CreatedTenantJson {
  id: string;
  name: string;
  slug: string;
  adminEmail: string;
  status: string;
}

interface TenantPage {
  items: Array<{ id: string; slug: string; name: string; adminEmail: string }>;
  nextCursor: string | null;
}

const CONCURRENCY = 50;

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

describe('concurrent tenant creation', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    t = await startTestApp();
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const create = (body: Record<string, unknown>) =>
    fetch(`${baseUrl}/api/v1/tenants`, {
      method: 'POST',
      headers: { ...adminAuth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  async function listAll(query = ''): Promise<TenantPage['items']> {
    const items: TenantPage['items'] = [];
    let cursor: string | null = null;
    do {
      const url = `${baseUrl}/api/v1/tenants?limit=200${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await fetch(url, { headers: adminAuth });
      expect(res.status).toBe(200);
      const page = await json<TenantPage>(res);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return items;
  }

  it(`${CONCURRENCY} concurrent creates of distinct tenants all succeed and all exist`, async () => {
    const before = await listAll();
    const bodies = Array.from({ length: CONCURRENCY }, () => tenantBody());
    const responses = await Promise.all(bodies.map((body) => create(body)));
    const results = await Promise.all(
      responses.map(async (res) => ({ status: res.status, location: res.headers.get('location'), body: await res.text() })),
    );

    for (const r of results) expect(r.status, r.body).toBe(201);
    const created = results.map((r) => JSON.parse(r.body) as CreatedTenantJson);
    results.forEach((r, i) => expect(r.location).toBe(`/api/v1/tenants/${created[i]!.id}`));
    expect(created.map((c) => c.slug)).toEqual(bodies.map((b) => b.slug));
    expect(new Set(created.map((c) => c.id)).size).toBe(CONCURRENCY);

    const after = await listAll();
    expect(after).toHaveLength(before.length + CONCURRENCY);
    const stored = new Map(after.map((x) => [x.id, x]));
    for (const c of created) {
      expect(stored.get(c.id)).toMatchObject({ slug: c.slug, name: c.name, adminEmail: c.adminEmail });
    }
    // Every tenant got its own admin user, roles and provisioning job.
    const ids = created.map((c) => c.id);
    const db = t.database.db;
    const users = await db.selectFrom('users').select('tenantId').where('tenantId', 'in', ids).execute();
    const roles = await db.selectFrom('roles').select('tenantId').where('tenantId', 'in', ids).execute();
    const jobs = await db.selectFrom('tenantProvisioningJobs').select('tenantId').where('tenantId', 'in', ids).execute();
    expect(users).toHaveLength(CONCURRENCY);
    expect(roles).toHaveLength(CONCURRENCY * 3);
    expect(jobs).toHaveLength(CONCURRENCY);
  });

  it(`${CONCURRENCY} concurrent creates with one slug: exactly one 201, the rest 409 naming slug`, async () => {
    const before = await listAll();
    const slug = (tenantBody().slug as string).replace(/^t-/, 'race-');
    const bodies = Array.from({ length: CONCURRENCY }, () => tenantBody({ slug }));
    const responses = await Promise.all(bodies.map((body) => create(body)));
    const results = await Promise.all(
      responses.map(async (res) => ({ status: res.status, contentType: res.headers.get('content-type'), body: await res.text() })),
    );

    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500), JSON.stringify(results.filter((r) => r.status >= 500))).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(CONCURRENCY - 1);

    const winner = results.find((r) => r.status === 201);
    const winnerTenant = JSON.parse(winner!.body) as CreatedTenantJson;
    expect(winnerTenant.slug).toBe(slug);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.contentType).toMatch(/^application\/problem\+json/);
      const problem = JSON.parse(r.body) as Problem;
      expect(problem).toMatchObject({ status: 409, code: 'already_exists' });
      expect(problem.errors?.[0]?.field).toBe('slug');
    }

    const withSlug = (await listAll(`&q=${encodeURIComponent(slug)}`)).filter((x) => x.slug === slug);
    expect(withSlug.map((x) => x.id)).toEqual([winnerTenant.id]);
    const after = await listAll();
    expect(after).toHaveLength(before.length + 1);
    // The losers left nothing behind: only the winner's admin user exists among the 50 emails.
    const emails = bodies.map((b) => String(b.adminEmail));
    const users = await t.database.db.selectFrom('users').select(['tenantId', 'email']).where('email', 'in', emails).execute();
    expect(users).toEqual([{ tenantId: winnerTenant.id, email: winnerTenant.adminEmail }]);
  });
});
