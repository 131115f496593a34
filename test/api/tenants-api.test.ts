import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Permission } from '../../src/domain/roles.js';
import { type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp, tenantBody } from '../support/test-app.js';

/** The tenant API over HTTP (inject): what a client of POST/GET /api/v1/tenants relies on. */

interface ProblemFieldError {
  field: string;
  message: string;
  in: string;
}

interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance: string;
  requestId: string;
  errors?: ProblemFieldError[];
}

interface TenantJson {
  id: string;
  name: string;
  slug: string;
  tier: string;
  status: string;
  region: string;
  cloudProvider: string;
  adminEmail: string;
  provisioningStartedAt: string | null;
  deploymentType: string | null;
  kubernetesNamespace: string | null;
  azureAksClusterName: string | null;
  provisioningCompletedAt: string | null;
  provisioningError: string | null;
  createdAt: string;
  updatedAt: string;
}

interface CreatedTenantJson extends TenantJson {
  initialApiKey: { id: string; key: string; role: string };
  provisioningJobId: string;
}

interface TenantPage {
  items: TenantJson[];
  nextCursor: string | null;
}

interface UserJson {
  id: string;
  tenantId: string;
  email: string;
  displayName: string | null;
  status: string;
  isTenantAdmin: boolean;
  roles: string[];
  createdAt: string;
}

interface RoleJson {
  id: string;
  tenantId: string;
  name: string;
  description: string;
  permissions: string[];
  isSystem: boolean;
  createdAt: string;
}

interface ApiKeyJson {
  id: string;
  tenantId: string | null;
  role: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const API_KEY = /^mtk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/;
// Asymmetric matchers, typed: expect.stringMatching() returns any.
const aUuid: unknown = expect.stringMatching(UUID);
const aDate: unknown = expect.stringMatching(ISO_DATE);
const anApiKey: unknown = expect.stringMatching(API_KEY);

/**
 * Asserts an RFC 9457 problem: exact status, problem+json, the stable code, and (when given)
 * that `errors[].field` names exactly these fields. Returns the parsed body.
 */
function expectProblem(res: LightMyRequestResponse, status: number, code: string, fields?: readonly string[]): Problem {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = res.json<Problem>();
  expect(problem).toMatchObject({ status, code, type: `urn:matih:problem:${code}` });
  expect(problem.detail).toEqual(expect.any(String));
  expect(problem.requestId).toEqual(expect.any(String));
  if (fields) {
    const named = [...new Set((problem.errors ?? []).map((e) => e.field))].sort();
    expect(named).toEqual([...fields].sort());
    for (const e of problem.errors ?? []) expect(e.message.length).toBeGreaterThan(0);
  }
  return problem;
}

function randomTag(length = 8): string {
  let tag = '';
  while (tag.length < length) tag += Math.random().toString(36).slice(2);
  return tag.slice(0, length).replace(/^[0-9]/, 'x');
}

describe('tenant API', () => {
  let t: TestApp;
  /** Enabled providers: AZURE only; body limit 2 KB. */
  let restricted: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    restricted = await startTestApp({ enabledCloudProviders: ['AZURE'], bodyLimitBytes: 2048 });
  });
  afterAll(async () => {
    await t?.close();
    await restricted?.close();
  });

  const post = (payload: unknown, headers: Record<string, string> = adminAuth) =>
    t.app.inject({ method: 'POST', url: '/api/v1/tenants', headers, payload: payload as Record<string, unknown> });
  const get = (url: string, headers: Record<string, string> = adminAuth) => t.app.inject({ method: 'GET', url, headers });

  async function allTenants(): Promise<TenantJson[]> {
    const res = await get('/api/v1/tenants?limit=200');
    expect(res.statusCode).toBe(200);
    const page = res.json<TenantPage>();
    expect(page.nextCursor).toBeNull();
    return page.items;
  }

  describe('POST /api/v1/tenants', () => {
    it('creates the tenant: 201, Location, every spec/003 field, the initial key and the job', async () => {
      const body = tenantBody({ tier: 'professional' });
      const before = Date.now();
      const res = await post(body);
      const after = Date.now();

      expect(res.statusCode, res.body).toBe(201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['cache-control']).toBe('no-store');
      const created = res.json<CreatedTenantJson>();
      expect(res.headers.location).toBe(`/api/v1/tenants/${created.id}`);
      expect(created).toEqual({
        id: aUuid,
        name: body.name,
        slug: body.slug,
        tier: 'PROFESSIONAL',
        status: 'PROVISIONING',
        region: 'eastus',
        cloudProvider: 'AZURE',
        adminEmail: body.adminEmail,
        provisioningStartedAt: aDate,
        deploymentType: null,
        kubernetesNamespace: null,
        azureAksClusterName: null,
        provisioningCompletedAt: null,
        provisioningError: null,
        createdAt: aDate,
        updatedAt: aDate,
        initialApiKey: { id: aUuid, key: anApiKey, role: 'Admin' },
        provisioningJobId: aUuid,
      });
      const startedAt = Date.parse(created.provisioningStartedAt ?? '');
      expect(startedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(startedAt).toBeLessThanOrEqual(after + 1000);
      // The key's id is the one embedded in the key itself.
      expect(created.initialApiKey.key.slice(4, 36)).toBe(created.initialApiKey.id.replaceAll('-', ''));

      const { initialApiKey, provisioningJobId: _job, ...tenant } = created;
      const read = await get(`/api/v1/tenants/${created.id}`);
      expect(read.statusCode).toBe(200);
      expect(read.json<TenantJson>()).toEqual(tenant);

      // The initial key authenticates as the tenant's Admin.
      const own = await get(`/api/v1/tenants/${created.id}`, bearer(initialApiKey.key));
      expect(own.statusCode, own.body).toBe(200);
      expect(own.json<TenantJson>()).toEqual(tenant);
      const keys = await get(`/api/v1/tenants/${created.id}/api-keys`, bearer(initialApiKey.key));
      expect(keys.statusCode, keys.body).toBe(200);
      expect(keys.json<{ items: ApiKeyJson[] }>().items).toEqual([
        expect.objectContaining({ id: initialApiKey.id, tenantId: created.id, role: 'Admin' }),
      ]);
      // The secret is never shown again.
      expect(keys.body).not.toContain(initialApiKey.key.slice(37));
    });

    it("shows the job spec/003 describes: its tier, state, context and who asked for it, as a principal reference", async () => {
      const res = await post(tenantBody({ tier: 'free' }));
      expect(res.statusCode, res.body).toBe(201);
      const created = res.json<{ id: string; slug: string; provisioningJobId: string }>();
      const status = await get(`/api/v1/tenants/${created.id}/provisioning/status`);
      expect(status.statusCode, status.body).toBe(200);
      expect(status.json<{ job: Record<string, unknown> }>().job).toEqual({
        id: created.provisioningJobId,
        kind: 'PROVISION',
        status: 'PENDING',
        maxRetries: 3,
        initiatedBy: 'bootstrap',
        tier: 'FREE',
        currentState: 'CREATING_TENANT_RECORD',
        context: {
          slug: created.slug,
          region: 'eastus',
          cloudProvider: 'AZURE',
          completedStates: ['VALIDATING_INPUT', 'CREATING_TENANT_RECORD'],
          generation: 1,
        },
      });
    });

    it('accepts the tier in any case and upper-cases it', async () => {
      const res = await post(tenantBody({ tier: 'free' }));
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json<CreatedTenantJson>().tier).toBe('FREE');
      const mixed = await post(tenantBody({ tier: 'EnTeRpRiSe' }));
      expect(mixed.statusCode, mixed.body).toBe(201);
      expect(mixed.json<CreatedTenantJson>().tier).toBe('ENTERPRISE');
    });

    it('defaults the provider to AZURE with its first region, and takes another enabled provider with its region', async () => {
      const { cloudProvider: _p, region: _r, ...rest } = tenantBody();
      const defaulted = await post(rest);
      expect(defaulted.statusCode, defaulted.body).toBe(201);
      expect(defaulted.json<CreatedTenantJson>()).toMatchObject({ cloudProvider: 'AZURE', region: 'eastus' });

      const aws = await post(tenantBody({ cloudProvider: 'aws', region: 'us-east-1' }));
      expect(aws.statusCode, aws.body).toBe(201);
      expect(aws.json<CreatedTenantJson>()).toMatchObject({ cloudProvider: 'AWS', region: 'us-east-1' });
    });

    it('accepts the length boundaries: a 3- and a 40-character slug, a 100-character name', async () => {
      const tag = randomTag(6);
      const short = await post(tenantBody({ slug: tag.slice(0, 3) }));
      expect(short.statusCode, short.body).toBe(201);
      const slug40 = `${tag}-${'a'.repeat(40 - tag.length - 1)}`;
      expect(slug40).toHaveLength(40);
      const long = await post(tenantBody({ slug: slug40, name: `${tag} ${'n'.repeat(100 - tag.length - 1)}` }));
      expect(long.statusCode, long.body).toBe(201);
      expect(long.json<CreatedTenantJson>().slug).toBe(slug40);
      expect(long.json<CreatedTenantJson>().name).toHaveLength(100);
    });

    it('stores the name trimmed and the admin email lower-cased', async () => {
      const tag = randomTag();
      const res = await post(tenantBody({ name: `  Trim ${tag}  `, adminEmail: `Admin.${tag}@Example.COM` }));
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json<CreatedTenantJson>()).toMatchObject({ name: `Trim ${tag}`, adminEmail: `admin.${tag}@example.com` });
    });
  });

  describe('validation: a clear 400 naming the bad field', () => {
    const cases: ReadonlyArray<[string, Record<string, unknown>, string]> = [
      ['empty name', { name: '' }, 'name'],
      ['blank name', { name: '   ' }, 'name'],
      ['name over 100 characters', { name: 'n'.repeat(101) }, 'name'],
      ['name with a NUL', { name: 'Acme\u0000Corp' }, 'name'],
      ['name with a newline', { name: 'Acme\nCorp' }, 'name'],
      ['name with DEL', { name: 'Acme\u007fCorp' }, 'name'],
      ['slug of 2 characters', { slug: 'ab' }, 'slug'],
      ['slug of 41 characters', { slug: 'a'.repeat(41) }, 'slug'],
      ['empty slug', { slug: '' }, 'slug'],
      ['uppercase slug', { slug: 'Acme-corp' }, 'slug'],
      ['slug with an underscore', { slug: 'acme_corp' }, 'slug'],
      ['slug with a space', { slug: 'acme corp' }, 'slug'],
      ['slug with a leading hyphen', { slug: '-acme' }, 'slug'],
      ['slug with a trailing hyphen', { slug: 'acme-' }, 'slug'],
      ['slug with a double hyphen', { slug: 'ac--me' }, 'slug'],
      ['reserved slug admin', { slug: 'admin' }, 'slug'],
      ['reserved slug api', { slug: 'api' }, 'slug'],
      ['reserved slug kube-system', { slug: 'kube-system' }, 'slug'],
      ['unknown tier', { tier: 'gold' }, 'tier'],
      ['empty tier', { tier: '' }, 'tier'],
      ['email without @', { adminEmail: 'not-an-email' }, 'adminEmail'],
      ['email without a dotted domain', { adminEmail: 'a@b' }, 'adminEmail'],
      ['email with a space', { adminEmail: 'a b@example.com' }, 'adminEmail'],
      ['unknown cloud provider', { cloudProvider: 'ORACLE' }, 'cloudProvider'],
      ['region not of the provider', { cloudProvider: 'AZURE', region: 'us-east-1' }, 'region'],
      ['unknown region', { cloudProvider: 'GCP', region: 'mars-north1' }, 'region'],
    ];

    it.each(cases)('%s', async (_label, overrides, field) => {
      const before = (await allTenants()).length;
      const res = await post(tenantBody(overrides));
      const problem = expectProblem(res, 400, 'validation_failed', [field]);
      expect(problem.errors?.[0]?.in).toBe('body');
      expect(problem.detail).toContain(field);
      expect((await allTenants()).length).toBe(before);
    });

    it('refuses a provider that is not enabled on this deployment', async () => {
      const res = await restricted.app.inject({
        method: 'POST',
        url: '/api/v1/tenants',
        headers: adminAuth,
        payload: tenantBody({ cloudProvider: 'AWS', region: 'us-east-1' }),
      });
      const problem = expectProblem(res, 400, 'validation_failed', ['cloudProvider']);
      expect(problem.errors?.[0]?.message).toContain('AWS');
      // The same provider is fine where it is enabled, and the enabled one works here.
      expect((await post(tenantBody({ cloudProvider: 'AWS', region: 'us-east-1' }))).statusCode).toBe(201);
      const azure = await restricted.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: adminAuth, payload: tenantBody() });
      expect(azure.statusCode, azure.body).toBe(201);
    });

    it('reports every bad field in one response', async () => {
      const res = await post({ name: '', slug: '-Bad_', tier: 'gold', adminEmail: 'nope', cloudProvider: 'AWS', region: 'eastus' });
      expectProblem(res, 400, 'validation_failed', ['name', 'slug', 'tier', 'adminEmail', 'region']);

      const badProvider = await post(tenantBody({ name: 'x'.repeat(101), slug: 'api', cloudProvider: 'MARS' }));
      expectProblem(badProvider, 400, 'validation_failed', ['name', 'slug', 'cloudProvider']);
    });

    it('reports every field of the wrong shape in one response', async () => {
      const res = await post(tenantBody({ name: 123, tier: true, colour: 'red' }));
      expectProblem(res, 400, 'validation_failed', ['name', 'tier', 'colour']);
    });
  });

  describe('duplicates', () => {
    it('refuses the same slug, the same name in another case and the same email in another case with 409, storing nothing', async () => {
      const first = tenantBody();
      expect((await post(first)).statusCode).toBe(201);
      const before = await allTenants();
      const usersBefore = await sql<{ n: number }>`select count(*)::int as n from users`.execute(t.database.db);
      const outboxBefore = await sql<{ n: number }>`select count(*)::int as n from outbox`.execute(t.database.db);

      const sameSlug = await post(tenantBody({ slug: first.slug }));
      const slugProblem = expectProblem(sameSlug, 409, 'already_exists', ['slug']);
      expect(slugProblem.errors?.[0]?.field).toBe('slug');

      const sameName = await post(tenantBody({ name: String(first.name).toUpperCase() }));
      expect(expectProblem(sameName, 409, 'already_exists', ['name']).errors?.[0]?.field).toBe('name');

      const paddedName = await post(tenantBody({ name: ` ${String(first.name).toLowerCase()} ` }));
      expectProblem(paddedName, 409, 'already_exists', ['name']);

      const sameEmail = await post(tenantBody({ adminEmail: String(first.adminEmail).toUpperCase() }));
      expect(expectProblem(sameEmail, 409, 'already_exists', ['adminEmail']).errors?.[0]?.field).toBe('adminEmail');

      const after = await allTenants();
      expect(after.map((x) => x.id)).toEqual(before.map((x) => x.id));
      const usersAfter = await sql<{ n: number }>`select count(*)::int as n from users`.execute(t.database.db);
      const outboxAfter = await sql<{ n: number }>`select count(*)::int as n from outbox`.execute(t.database.db);
      expect(usersAfter.rows[0]?.n).toBe(usersBefore.rows[0]?.n);
      expect(outboxAfter.rows[0]?.n).toBe(outboxBefore.rows[0]?.n);
    });
  });

  describe('malformed requests never reach a 500', () => {
    it('malformed JSON -> 400 malformed_json', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tenants',
        headers: { ...adminAuth, 'content-type': 'application/json' },
        payload: '{"name": "Acme", "slug": ',
      });
      expectProblem(res, 400, 'malformed_json');
    });

    it('an empty JSON body -> 400 empty_body', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tenants',
        headers: { ...adminAuth, 'content-type': 'application/json' },
        payload: '',
      });
      expectProblem(res, 400, 'empty_body');
    });

    it('a JSON body that is not an object -> 400', async () => {
      for (const payload of ['[]', '"acme"', 'null', '42']) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/tenants',
          headers: { ...adminAuth, 'content-type': 'application/json' },
          payload,
        });
        expect(res.statusCode, `${payload}: ${res.body}`).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    });

    it('text/plain -> 415 unsupported_media_type', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tenants',
        headers: { ...adminAuth, 'content-type': 'text/plain' },
        payload: JSON.stringify(tenantBody()),
      });
      expectProblem(res, 415, 'unsupported_media_type');
    });

    it('a body over the limit -> 413 body_too_large', async () => {
      const payload = JSON.stringify(tenantBody({ name: 'n'.repeat(4096) }));
      expect(payload.length).toBeGreaterThan(4096);
      const res = await restricted.app.inject({
        method: 'POST',
        url: '/api/v1/tenants',
        headers: { ...adminAuth, 'content-type': 'application/json' },
        payload,
      });
      expectProblem(res, 413, 'body_too_large');
    });

    it('an unknown field -> 400 naming it', async () => {
      const res = await post(tenantBody({ plan: 'gold' }));
      const problem = expectProblem(res, 400, 'validation_failed', ['plan']);
      expect(problem.errors?.[0]).toMatchObject({ field: 'plan', in: 'body' });
    });

    it('a field of the wrong JSON type -> 400 naming it', async () => {
      expectProblem(await post(tenantBody({ name: 123 })), 400, 'validation_failed', ['name']);
      expectProblem(await post(tenantBody({ adminEmail: ['a@example.com'] })), 400, 'validation_failed', ['adminEmail']);
      expectProblem(await post(tenantBody({ region: null })), 400, 'validation_failed', ['region']);
    });

    it('a missing required field -> 400 naming it', async () => {
      const { slug: _slug, ...withoutSlug } = tenantBody();
      expectProblem(await post(withoutSlug), 400, 'validation_failed', ['slug']);
      expectProblem(await post({}), 400, 'validation_failed', ['name', 'slug', 'tier', 'adminEmail']);
    });

    it('a path id that is not a UUID -> 400 naming id', async () => {
      for (const url of ['/api/v1/tenants/not-a-uuid', '/api/v1/tenants/123/users', '/api/v1/tenants/x/roles']) {
        const problem = expectProblem(await get(url), 400, 'validation_failed', ['id']);
        expect(problem.errors?.[0]?.in).toBe('params');
      }
    });

    it('a tenant id that does not exist -> 404 not_found', async () => {
      const id = randomUUID();
      for (const url of [`/api/v1/tenants/${id}`, `/api/v1/tenants/${id}/users`, `/api/v1/tenants/${id}/roles`]) {
        expectProblem(await get(url), 404, 'not_found');
      }
    });

    it('an unknown route -> 404 problem', async () => {
      const problem = expectProblem(await get('/api/v1/tenantz'), 404, 'route_not_found');
      expect(problem.instance).toBe('/api/v1/tenantz');
      expectProblem(await t.app.inject({ method: 'DELETE', url: '/api/v1/tenants', headers: adminAuth }), 404, 'route_not_found');
    });

    it('no Authorization -> 401 with www-authenticate', async () => {
      for (const res of [
        await t.app.inject({ method: 'GET', url: '/api/v1/tenants' }),
        await t.app.inject({ method: 'POST', url: '/api/v1/tenants', payload: tenantBody() }),
      ]) {
        expectProblem(res, 401, 'unauthenticated');
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    });

    it('a garbage or malformed credential -> 401', async () => {
      const unknownKey = `mtk_${'0'.repeat(32)}_${'A'.repeat(43)}`;
      for (const authorization of [
        'Bearer garbage',
        'Bearer mtk_garbage',
        `Bearer ${unknownKey}`,
        'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl',
        'Basic dXNlcjpwYXNz',
        'Bearer',
        'test-bootstrap-token-0123456789abcdef',
      ]) {
        const res = await t.app.inject({ method: 'GET', url: '/api/v1/tenants', headers: { authorization } });
        expectProblem(res, 401, 'unauthenticated');
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    });
  });

  describe('scoping by the initial API key', () => {
    it("hides other tenants, cannot create tenants, and lists only its own tenant", async () => {
      const a = await createTenantViaApi(t.app);
      const b = await createTenantViaApi(t.app);
      const keyA = bearer(a.initialApiKey.key);

      expectProblem(await get(`/api/v1/tenants/${b.id}`, keyA), 404, 'not_found');
      expectProblem(await get(`/api/v1/tenants/${b.id}/users`, keyA), 404, 'not_found');
      expectProblem(await get(`/api/v1/tenants/${b.id}/roles`, keyA), 404, 'not_found');
      // Indistinguishable from a tenant that does not exist at all.
      expectProblem(await get(`/api/v1/tenants/${randomUUID()}`, keyA), 404, 'not_found');

      const before = (await allTenants()).length;
      expectProblem(await post(tenantBody(), keyA), 403, 'forbidden');
      expect((await allTenants()).length).toBe(before);

      const list = await get('/api/v1/tenants?limit=200', keyA);
      expect(list.statusCode).toBe(200);
      const page = list.json<TenantPage>();
      expect(page.items.map((x) => x.id)).toEqual([a.id]);
      expect(page.nextCursor).toBeNull();
      // Even when asking for B by name.
      const search = await get(`/api/v1/tenants?q=${encodeURIComponent(b.slug)}`, keyA);
      expect(search.json<TenantPage>().items).toEqual([]);

      expect((await get(`/api/v1/tenants/${a.id}/users`, keyA)).statusCode).toBe(200);
      expect((await get(`/api/v1/tenants/${a.id}/roles`, keyA)).statusCode).toBe(200);
    });
  });

  describe('GET /api/v1/tenants', () => {
    const tag = randomTag();
    const created: CreatedTenantJson[] = [];

    beforeAll(async () => {
      // In creation order; the tag is in the name only, the slug only, or both.
      const bodies = [
        tenantBody({ name: `${tag.toUpperCase()} Alpha`, tier: 'FREE' }),
        tenantBody({ name: `Bravo ${randomTag()}`, slug: `${tag}-bravo`, tier: 'PROFESSIONAL' }),
        tenantBody({ name: `${tag} Charlie`, slug: `${tag}-charlie`, tier: 'ENTERPRISE' }),
        tenantBody({ name: `${tag} Delta`, slug: `${tag}-delta`, tier: 'enterprise' }),
        tenantBody({ name: `${tag} Echo`, slug: `${tag}-echo`, tier: 'free' }),
      ];
      for (const body of bodies) {
        const res = await post(body);
        expect(res.statusCode, res.body).toBe(201);
        created.push(res.json<CreatedTenantJson>());
      }
      // The API cannot change a status yet: mark one ACTIVE in the database.
      await t.database.db.updateTable('tenants').set({ status: 'ACTIVE' }).where('id', '=', created[4]!.id).execute();
    });

    const ids = (res: LightMyRequestResponse) => {
      expect(res.statusCode, res.body).toBe(200);
      return res.json<TenantPage>().items.map((x) => x.id);
    };
    const newestFirst = (...indexes: number[]) => indexes.sort((x, y) => y - x).map((i) => created[i]!.id);

    it('searches name and slug, case-insensitively, with % and _ taken literally', async () => {
      expect(ids(await get(`/api/v1/tenants?q=${tag}`))).toEqual(newestFirst(0, 1, 2, 3, 4));
      expect(ids(await get(`/api/v1/tenants?q=${tag.toUpperCase()}-BRAVO`))).toEqual(newestFirst(1));
      expect(ids(await get(`/api/v1/tenants?q=${encodeURIComponent(`${tag} alpha`)}`))).toEqual(newestFirst(0));
      expect(ids(await get('/api/v1/tenants?q=%25'))).toEqual([]);
      expect(ids(await get(`/api/v1/tenants?q=${tag}_charlie`))).toEqual([]);
    });

    it('filters by status, in any case', async () => {
      expect(ids(await get(`/api/v1/tenants?q=${tag}&status=active`))).toEqual(newestFirst(4));
      expect(ids(await get(`/api/v1/tenants?q=${tag}&status=Provisioning`))).toEqual(newestFirst(0, 1, 2, 3));
      expect(ids(await get(`/api/v1/tenants?q=${tag}&status=SUSPENDED`))).toEqual([]);
      const all = await get('/api/v1/tenants?status=ACTIVE&limit=200');
      expect(all.json<TenantPage>().items.every((x) => x.status === 'ACTIVE')).toBe(true);
    });

    it('filters by tier, in any case', async () => {
      expect(ids(await get(`/api/v1/tenants?q=${tag}&tier=enterprise`))).toEqual(newestFirst(2, 3));
      expect(ids(await get(`/api/v1/tenants?q=${tag}&tier=Free`))).toEqual(newestFirst(0, 4));
      expect(ids(await get(`/api/v1/tenants?q=${tag}&tier=PROFESSIONAL&status=provisioning`))).toEqual(newestFirst(1));
      const all = await get('/api/v1/tenants?tier=free&limit=200');
      expect(all.json<TenantPage>().items.every((x) => x.tier === 'FREE')).toBe(true);
    });

    it('refuses a bad status or tier filter, naming it', async () => {
      const status = expectProblem(await get('/api/v1/tenants?status=running'), 400, 'validation_failed', ['status']);
      expect(status.errors?.[0]?.in).toBe('query');
      expectProblem(await get('/api/v1/tenants?tier=gold'), 400, 'validation_failed', ['tier']);
      expectProblem(await get('/api/v1/tenants?tier=gold&status=x'), 400, 'validation_failed', ['status', 'tier']);
    });

    it('pages with limit 2 through every tenant exactly once, newest first', async () => {
      const everything = await allTenants();
      expect(everything.length).toBeGreaterThan(5);
      const walked: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url: string = `/api/v1/tenants?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await get(url);
        expect(res.statusCode, res.body).toBe(200);
        const page = res.json<TenantPage>();
        expect(page.items.length).toBeGreaterThan(0);
        expect(page.items.length).toBeLessThanOrEqual(2);
        walked.push(...page.items.map((x) => x.id));
        cursor = page.nextCursor;
        pages += 1;
        expect(pages).toBeLessThanOrEqual(everything.length);
      } while (cursor !== null);

      expect(new Set(walked).size).toBe(walked.length);
      expect(walked).toEqual(everything.map((x) => x.id));
      expect(pages).toBe(Math.ceil(everything.length / 2));
      // Newest first: ids descend (UUIDv7), creation times never increase.
      expect([...walked].sort().reverse()).toEqual(walked);
      const times = everything.map((x) => Date.parse(x.createdAt));
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThanOrEqual(times[i - 1]!);
      // The tenants this block created, in reverse creation order.
      const ours = new Set(created.map((x) => x.id));
      expect(walked.filter((id) => ours.has(id))).toEqual(newestFirst(0, 1, 2, 3, 4));
    });

    it('pages a filtered list too', async () => {
      const first = await get(`/api/v1/tenants?q=${tag}&limit=2`);
      const page1 = first.json<TenantPage>();
      expect(page1.items.map((x) => x.id)).toEqual(newestFirst(3, 4));
      expect(page1.nextCursor).not.toBeNull();
      const page2 = (await get(`/api/v1/tenants?q=${tag}&limit=2&cursor=${encodeURIComponent(page1.nextCursor!)}`)).json<TenantPage>();
      expect(page2.items.map((x) => x.id)).toEqual(newestFirst(1, 2));
      const page3 = (await get(`/api/v1/tenants?q=${tag}&limit=2&cursor=${encodeURIComponent(page2.nextCursor!)}`)).json<TenantPage>();
      expect(page3.items.map((x) => x.id)).toEqual(newestFirst(0));
      expect(page3.nextCursor).toBeNull();
    });

    it('refuses a cursor it did not issue, naming cursor', async () => {
      for (const cursor of ['not-a-cursor', Buffer.from('hello').toString('base64url'), '%00']) {
        const problem = expectProblem(await get(`/api/v1/tenants?cursor=${cursor}`), 400, 'validation_failed', ['cursor']);
        expect(problem.errors?.[0]?.in).toBe('query');
      }
    });

    it('refuses a limit outside 1..200, naming limit', async () => {
      for (const limit of ['0', '201', '-1', 'ten', '1.5']) {
        expectProblem(await get(`/api/v1/tenants?limit=${limit}`), 400, 'validation_failed', ['limit']);
      }
      expect((await get('/api/v1/tenants?limit=1')).json<TenantPage>().items).toHaveLength(1);
      expect((await get('/api/v1/tenants?limit=200')).statusCode).toBe(200);
    });

    it('refuses an unknown query parameter, naming it', async () => {
      expectProblem(await get('/api/v1/tenants?sort=name'), 400, 'validation_failed', ['sort']);
    });
  });

  describe('the tenant directory', () => {
    it('lists the admin user, pending activation, with the Admin role', async () => {
      const tag = randomTag();
      const created = await createTenantViaApi(t.app, { adminEmail: `Boss.${tag}@Example.com` });
      for (const auth of [adminAuth, bearer(created.initialApiKey.key)]) {
        const res = await get(`/api/v1/tenants/${created.id}/users`, auth);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json<{ items: UserJson[] }>().items).toEqual([
          {
            id: aUuid,
            tenantId: created.id,
            email: `boss.${tag}@example.com`,
            displayName: null,
            status: 'PENDING_ACTIVATION',
            isTenantAdmin: true,
            roles: ['Admin'],
            createdAt: aDate,
          },
        ]);
      }
    });

    it('lists the Admin, Analyst and Viewer roles with their permissions', async () => {
      const created = await createTenantViaApi(t.app);
      const res = await get(`/api/v1/tenants/${created.id}/roles`);
      expect(res.statusCode, res.body).toBe(200);
      const roles = res.json<{ items: RoleJson[] }>().items;
      expect(roles.map((r) => r.name)).toEqual(['Admin', 'Analyst', 'Viewer']);
      for (const role of roles) {
        expect(role).toMatchObject({ tenantId: created.id, isSystem: true });
        expect(role.id).toMatch(UUID);
        expect(role.description.length).toBeGreaterThan(0);
      }
      const byName = new Map(roles.map((r) => [r.name, r]));
      expect([...byName.get('Admin')!.permissions].sort()).toEqual(Object.values(Permission).sort());
      expect([...byName.get('Analyst')!.permissions].sort()).toEqual(
        ['tenant:read', 'settings:read', 'users:read', 'roles:read', 'data:query', 'data:write'].sort(),
      );
      expect([...byName.get('Viewer')!.permissions].sort()).toEqual(['tenant:read', 'settings:read', 'data:query'].sort());

      // Each tenant has roles of its own.
      const other = await createTenantViaApi(t.app);
      const otherRoles = (await get(`/api/v1/tenants/${other.id}/roles`)).json<{ items: RoleJson[] }>().items;
      expect(otherRoles.map((r) => r.name)).toEqual(['Admin', 'Analyst', 'Viewer']);
      expect(otherRoles.map((r) => r.id).some((id) => roles.some((r) => r.id === id))).toBe(false);
    });
  });
});
