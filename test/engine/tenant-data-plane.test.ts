import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../src/api/problem.js';
import { DEFAULT_ROLES } from '../../src/domain/roles.js';
import { type TenantDatabasePlan, tenantDatabasePlan } from '../../src/domain/tenant-database.js';
import { TIER_PROFILES, type Tier } from '../../src/domain/tiers.js';
import { scramVerifierMatches } from '../support/scram.js';
import { DEFAULT_CONFIGURATION, DEFAULT_DASHBOARD_TEMPLATES } from '../../src/drivers/database/seed.js';
import { TENANT_MIGRATIONS } from '../../src/drivers/database/tenant-migrations.js';
import { addressesOf, tcpQuery, udpResolver } from '../support/dns-clients.js';
import { handshake } from '../support/tls-check.js';
import { tenantNamePrefixFor } from '../support/databases.js';
import { NOTHING_LEFT, tenantFootprint } from '../support/footprint.js';
import { history, waitForJobEnd } from '../support/provisioning.js';
import { type CreatedTenantResponse, type TestApp, adminAuth, createTenantViaApi, startTestApp, tenantBody } from '../support/test-app.js';

/** The version the tenant migrations end at. */
const LATEST_TENANT_MIGRATION = TENANT_MIGRATIONS.at(-1)?.version;

/**
 * The tenant data plane as provisioning leaves it: the objects of the simulated cluster, the
 * tenant's schemas, role and seed data, and the `tenant-database-credentials` Secret a service
 * would log in with. The tests log in as the tenant, exactly as a service would.
 */

const LONG = 60_000;

/** What a provisioned PROFESSIONAL tenant has in the simulated cluster, by kind (the issue's counts). */
const PROFESSIONAL_OBJECTS = {
  Namespace: 1,
  ServiceAccount: 1,
  // The tenant's, and Prometheus' service discovery (DEPLOY_MONITORING).
  Role: 2,
  RoleBinding: 2,
  ResourceQuota: 1,
  LimitRange: 1,
  // The database's, the five of spec/002 phase 3, Grafana's admin login, and the TLS certificate.
  Secret: 8,
  // spec/004's three ingress ones, the world to the ingress controller, eight egress (network-policies.test.ts).
  NetworkPolicy: 12,
  // Fourteen services, ingress-nginx, Prometheus and Grafana.
  HelmRelease: 17,
  // The ingress controller's LoadBalancer, which the chart (the sim's stand-in for it) makes.
  Service: 1,
  Ingress: 1,
  PrometheusRule: 1,
  // Where the alerts go (DEPLOY_MONITORING).
  AlertmanagerConfig: 1,
  // The OpenTelemetry collector's, Loki's and Tempo's tenant configuration, CONFIGURE's tenant-config,
  // the environment's Helm values (values-{environment}, DEPLOY_CORE_SERVICES), and the three
  // Grafana dashboards (DEPLOY_MONITORING).
  ConfigMap: 8,
};

const DATABASE_SECRET = 'tenant-database-credentials';

/** Keys of the tenant Secrets that name things rather than hide them; every other value is secret. */
const NOT_SECRET_KEYS = new Set(['POSTGRES_HOST', 'POSTGRES_PORT', 'POSTGRES_DB', 'POSTGRES_USER', 'KAFKA_SASL_USERNAME', 'admin-user', 'tls.crt', 'ca.crt']);

/** SQL text over one session (a pg.Client). */
interface SqlRunner {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The names the engine gives the tenant's database objects on this test's database. */
function planOf(t: TestApp, tenant: { id: string; slug: string; tier: string }): TenantDatabasePlan {
  const prefix = tenantNamePrefixFor(t.database.url);
  // The server gives every tier the isolation it asks for: ENTERPRISE a database of its own.
  const isolation = TIER_PROFILES[tenant.tier as Tier].databaseIsolation;
  return tenantDatabasePlan(tenant.id, tenant.slug, isolation, prefix);
}

/** The decoded `data` of one of the tenant's Secrets in the simulated cluster, as a pod would see it. */
async function decodeSecret(t: TestApp, slug: string, name: string): Promise<Record<string, string>> {
  const secret = await t.engine!.cluster!.get({ apiVersion: 'v1', kind: 'Secret', namespace: `matih-${slug}`, name });
  if (secret === undefined) throw new Error(`no Secret ${name} in matih-${slug}`);
  return Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

/** Every Secret of the tenant's namespace, decoded, by name. */
async function allSecrets(t: TestApp, slug: string): Promise<Record<string, Record<string, string>>> {
  const secrets = (await t.engine!.cluster!.listAll(`matih-${slug}`, 'Secret')).map((s) => s.metadata.name);
  return Object.fromEntries(await Promise.all(secrets.map(async (name) => [name, await decodeSecret(t, slug, name)] as const)));
}

interface Login {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

/** The login of the tenant's `tenant-database-credentials` Secret. */
async function databaseLogin(t: TestApp, slug: string): Promise<Login> {
  const s = await decodeSecret(t, slug, DATABASE_SECRET);
  return { host: s.POSTGRES_HOST!, port: Number(s.POSTGRES_PORT), database: s.POSTGRES_DB!, user: s.POSTGRES_USER!, password: s.POSTGRES_PASSWORD! };
}

/**
 * Logs in to the server with the Secret's values as given (host, port and database are the
 * admin URL's, which is where the tenant is told to connect), runs `work`, logs out.
 */
async function loginAs<T>(login: Login | string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(typeof login === 'string' ? { connectionString: login } : login);
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs `work` as the tenant's role, through a login with its Secret. */
async function asTenant<T>(t: TestApp, tenant: { slug: string }, work: (client: SqlRunner) => Promise<T>): Promise<T> {
  const login = await databaseLogin(t, tenant.slug);
  // The session must really be the role's, or a superuser would read anything.
  const checked = async (client: SqlRunner) => {
    expect((await client.query<{ user: string }>('select current_user as user')).rows[0]?.user).toBe(login.user);
    return work(client);
  };
  return loginAs(login, checked);
}

/** The server as this test's admin (the control plane's own login). */
async function asAdmin<T>(t: TestApp, work: (client: pg.Client) => Promise<T>): Promise<T> {
  return loginAs(t.database.url, work);
}

/** The SQLSTATE a statement fails with; fails the test if it succeeds. */
async function sqlStateOf(attempt: Promise<unknown>): Promise<string> {
  try {
    await attempt;
  } catch (error) {
    return (error as { code?: string }).code ?? `no SQLSTATE: ${String(error)}`;
  }
  throw new Error('the statement succeeded');
}

/** The reference data of the tenant's schemas, read through `client`. */
async function readSeed(client: SqlRunner, plan: TenantDatabasePlan) {
  const schema = (suffix: string) => quote(plan.schemas.find((s) => s.endsWith(`_${suffix}`))!);
  const roles = await client.query<{ name: string; permissions: string[] }>(`select name, permissions from ${schema('governance')}.system_roles order by name`);
  const templates = await client.query<{ key: string }>(`select key from ${schema('bi')}.dashboard_templates order by key`);
  const configuration: Record<string, Record<string, unknown>> = {};
  for (const service of ['ai', 'query', 'bi']) {
    const rows = await client.query<{ key: string; value: unknown }>(`select key, value from ${schema(service)}.configuration order by key`);
    configuration[service] = Object.fromEntries(rows.rows.map((r) => [r.key, r.value]));
  }
  return { roles: roles.rows, templates: templates.rows.map((r) => r.key), configuration };
}

const EXPECTED_SEED = {
  roles: DEFAULT_ROLES.map((r) => ({ name: r.name, permissions: [...r.permissions] })).sort((a, b) => a.name.localeCompare(b.name)),
  templates: DEFAULT_DASHBOARD_TEMPLATES.map((d) => d.key).sort(),
  configuration: Object.fromEntries(
    ['ai', 'query', 'bi'].map((service) => [service, Object.fromEntries(DEFAULT_CONFIGURATION.filter((c) => c.service === service).map((c) => [c.key, c.value]))]),
  ),
};

async function provisioned(t: TestApp, overrides: Record<string, unknown> = {}): Promise<CreatedTenantResponse> {
  const created = await createTenantViaApi(t.app, overrides);
  const final = await waitForJobEnd(t.app, created.id, LONG);
  expect(final, final.errorMessage ?? '').toMatchObject({ status: 'ACTIVE' });
  return created;
}

/** Creates a tenant whose VERIFY fails for good after everything is deployed: the whole plan rolls back. */
async function rolledBack(t: TestApp, overrides: Record<string, unknown> = {}): Promise<CreatedTenantResponse> {
  t.engine!.faults.configure({ faults: [{ step: 'VERIFY', kind: 'permanent', times: 0 }] });
  const created = await createTenantViaApi(t.app, overrides);
  const failed = await waitForJobEnd(t.app, created.id, LONG);
  expect(failed).toMatchObject({ status: 'FAILED' });
  expect(failed.errorMessage).toContain('simulated permanent fault in VERIFY');
  t.engine!.faults.configure({ faults: [] });
  // SETUP_DATABASE did run and was undone: what is missing now was there before the rollback.
  const entries = await history(t.app, created.id);
  expect(entries.filter((e) => e.step === 'SETUP_DATABASE').map((e) => e.trigger)).toEqual(
    expect.arrayContaining(['step.completed', 'rollback.step_completed']),
  );
  return created;
}

describe('the data plane of a provisioned tenant', () => {
  let t: TestApp;
  let tenant: CreatedTenantResponse;
  let dnsPort: number;
  beforeAll(async () => {
    t = await startTestApp({ engine: {} });
    // The service starts its embedded DNS server with its HTTP ports (app.ts); the test app does not.
    dnsPort = (await t.engine!.dnsServer!.listen()).udp;
    tenant = await provisioned(t, { tier: 'PROFESSIONAL' });
  }, LONG);
  afterAll(async () => {
    await t.close();
  });
  // A failed test must not leave its faults to the next one.
  afterEach(() => t.engine!.faults.configure({ faults: [] }));

  it('has exactly the cluster objects of a PROFESSIONAL tenant, by kind', async () => {
    const footprint = await tenantFootprint(t, tenant);
    expect(footprint.objectsByKind).toEqual(PROFESSIONAL_OBJECTS);
  });

  it('has a DNS zone answering over UDP and TCP with its load balancer address, and its delegation', async () => {
    const host = `${tenant.slug}.matih.test`;
    const service = await t.engine!.cluster!.get({ apiVersion: 'v1', kind: 'Service', namespace: `matih-${tenant.slug}`, name: 'ingress-nginx-controller' });
    const ip = (service?.status as { loadBalancer: { ingress: { ip: string }[] } }).loadBalancer.ingress[0]?.ip;
    expect(ip).toBeDefined();
    const udp = udpResolver(dnsPort);
    const tcp = tcpQuery(dnsPort);
    for (const name of [host, `api.${host}`, `bi.${host}`, `anything.${host}`]) {
      expect(await udp.resolve4(name), `${name} over UDP`).toEqual([ip]);
      expect(addressesOf(await tcp(name, 'A')), `${name} over TCP`).toEqual([ip]);
    }
    expect(await udp.resolveNs(host)).toEqual(['ns1.matih.test']);
    expect((await tenantFootprint(t, tenant)).dns).toEqual({ zone: true, delegation: true });
  });

  it('serves a certificate for its hosts that a client trusting only the platform CA accepts', async () => {
    const host = `${tenant.slug}.matih.test`;
    const pem = await decodeSecret(t, tenant.slug, `${tenant.slug}-tls-certificate`);
    const ca = await t.engine!.certificateAuthority!.caCertificatePem();
    for (const name of [host, `api.${host}`, `bi.${host}`]) {
      expect(await handshake({ cert: pem['tls.crt']!, key: pem['tls.key']!, ca }, name), name).toEqual({ authorized: true });
    }
    const ingress = await t.engine!.cluster!.get({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: `matih-${tenant.slug}`, name: 'tenant-ingress' });
    expect(ingress?.spec).toMatchObject({ ingressClassName: `nginx-${tenant.slug}`, tls: [{ hosts: [host, `*.${host}`] }] });
  });

  it('has its nine schemas, its role and the latest tenant migration', async () => {
    const plan = planOf(t, tenant);
    const { database } = await tenantFootprint(t, tenant);
    expect(database).toEqual({
      rolePresent: true,
      databasePresent: false,
      schemasPresent: [...plan.schemas].sort(),
      migrationVersion: LATEST_TENANT_MIGRATION,
    });
    // The Secret names that role, so a service logs in as the tenant and nobody else.
    expect((await databaseLogin(t, tenant.slug)).user).toBe(plan.role);
  });

  it('has the seed data (system roles, dashboard templates, configuration), readable by its role', async () => {
    const seed = await asTenant(t, tenant, (client) => readSeed(client, planOf(t, tenant)));
    expect(seed).toEqual(EXPECTED_SEED);
  });

  it('records no secret value in its phase outputs, history or events', async () => {
    const secrets = await allSecrets(t, tenant.slug);
    expect(Object.keys(secrets)).toHaveLength(PROFESSIONAL_OBJECTS.Secret);
    const values = Object.values(secrets).flatMap((data) => Object.entries(data).filter(([key]) => !NOT_SECRET_KEYS.has(key)).map(([, value]) => value));
    // The database password at least, and one value or more of each of the other five Secrets.
    expect(values).toContain(secrets[DATABASE_SECRET]!.POSTGRES_PASSWORD);
    expect(values.length).toBeGreaterThanOrEqual(6);

    const state = await t.database.db.selectFrom('tenantProvisioningState').select('phaseOutputs').where('tenantId', '=', tenant.id).executeTakeFirstOrThrow();
    const recorded = {
      phaseOutputs: JSON.stringify(state.phaseOutputs),
      history: JSON.stringify(await history(t.app, tenant.id)),
      events: JSON.stringify(await t.database.db.selectFrom('outbox').select('payload').where('aggregateId', '=', tenant.id).execute()),
    };
    // The outputs do say where the database is and who logs in: only the password is sealed.
    expect(state.phaseOutputs.SETUP_DATABASE).toMatchObject({ role: planOf(t, tenant).role, credentials: expect.any(String) as unknown });
    for (const [where, text] of Object.entries(recorded)) {
      for (const value of values) {
        // Neither in clear nor as the base64 of a Secret's data.
        expect(text, `${where} holds a secret value`).not.toContain(value);
        expect(text, `${where} holds a secret value in base64`).not.toContain(Buffer.from(value).toString('base64'));
      }
    }
  });

  it(
    'a permanent fault at VERIFY rolls everything back, and a retry provisions it again from nothing',
    async () => {
      const created = await rolledBack(t, { tier: 'PROFESSIONAL' });
      expect(await tenantFootprint(t, created)).toEqual(NOTHING_LEFT);

      const retry = await t.app.inject({ method: 'POST', url: `/api/v1/tenants/${created.id}/provisioning/retry`, headers: adminAuth });
      expect(retry.statusCode, retry.body).toBe(202);
      const again = await waitForJobEnd(t.app, created.id, LONG);
      expect(again, again.errorMessage ?? '').toMatchObject({ status: 'ACTIVE', errorMessage: null });

      const footprint = await tenantFootprint(t, created);
      expect(footprint.objectsByKind).toEqual(PROFESSIONAL_OBJECTS);
      expect(footprint.database).toMatchObject({ rolePresent: true, migrationVersion: LATEST_TENANT_MIGRATION });
      expect(footprint.database.schemasPresent).toHaveLength(9);
      // The role made anew works: it reads the seed of schemas made anew, and creates in them.
      const plan = planOf(t, created);
      const seed = await asTenant(t, created, async (client) => {
        for (const schema of plan.schemas) await client.query(`create table ${quote(schema)}.after_retry (id integer)`);
        return readSeed(client, plan);
      });
      expect(seed).toEqual(EXPECTED_SEED);
    },
    LONG * 2,
  );
});

describe('logging in as a tenant on the PostgreSQL server', () => {
  let t: TestApp;
  let a: CreatedTenantResponse;
  let b: CreatedTenantResponse;
  beforeAll(async () => {
    t = await startTestApp({ engine: {} });
    [a, b] = await Promise.all([provisioned(t), provisioned(t)]);
  }, LONG);
  afterAll(async () => {
    await t.close();
  });
  afterEach(() => t.engine!.faults.configure({ faults: [] }));

  it("A's Secret logs in as A's role, and its password is the role's", async () => {
    const login = await databaseLogin(t, a.slug);
    const plan = planOf(t, a);
    // Where the control plane's admin URL points: SCHEMA_PER_TENANT schemas live in its database.
    const admin = new URL(t.database.url);
    expect(login).toMatchObject({ host: admin.hostname, port: Number(admin.port || 5432), database: admin.pathname.slice(1), user: plan.role });

    const who = await loginAs(login, async (c) => (await c.query<{ user: string; db: string }>('select current_user as user, current_database() as db')).rows[0]);
    expect(who).toEqual({ user: plan.role, db: login.database });
    // DATABASE_URL is the same login, as one URI.
    const viaUrl = await loginAs((await decodeSecret(t, a.slug, DATABASE_SECRET)).DATABASE_URL!, async (c) => (await c.query<{ user: string }>('select current_user as user')).rows[0]?.user);
    expect(viaUrl).toBe(plan.role);

    // The test server may trust local logins (any password gets in), so check the password
    // against the role's stored SCRAM verifier as well.
    const verifier = await asAdmin(t, async (c) => (await c.query<{ v: string | null }>('select rolpassword as v from pg_authid where rolname = $1', [plan.role])).rows[0]?.v);
    expect(scramVerifierMatches(verifier ?? null, login.password)).toBe(true);
  });

  it("A's role creates and reads a table in each of its nine schemas", async () => {
    const plan = planOf(t, a);
    const read = await loginAs(await databaseLogin(t, a.slug), async (c) => {
      const rows: Record<string, unknown> = {};
      for (const schema of plan.schemas) {
        const table = `${quote(schema)}.login_probe`;
        await c.query(`create table ${table} (id integer primary key, note text)`);
        await c.query(`insert into ${table} values (1, $1)`, [schema]);
        rows[schema] = (await c.query<{ note: string }>(`select note from ${table}`)).rows[0]?.note;
        await c.query(`drop table ${table}`);
      }
      return rows;
    });
    expect(read).toEqual(Object.fromEntries(plan.schemas.map((s) => [s, s])));
  });

  it("A's role reads its seed data", async () => {
    const seed = await loginAs(await databaseLogin(t, a.slug), (c) => readSeed(c, planOf(t, a)));
    expect(seed).toEqual(EXPECTED_SEED);
  });

  it("A's role can neither read nor write B's schemas (42501)", async () => {
    const theirs = planOf(t, b);
    const governance = theirs.schemas.find((s) => s.endsWith('_governance'))!;
    const states = await loginAs(await databaseLogin(t, a.slug), async (c) => {
      const read = await sqlStateOf(c.query(`select * from ${quote(governance)}.system_roles`));
      const create: string[] = [];
      for (const s of theirs.schemas) create.push(await sqlStateOf(c.query(`create table ${quote(s)}.intruder (id integer)`)));
      return { read, create };
    });
    expect(states).toEqual({ read: '42501', create: theirs.schemas.map(() => '42501') });
  });

  it("A's role cannot read the control plane's tables", async () => {
    const { state, publicUsage } = await loginAs(await databaseLogin(t, a.slug), async (c) => ({
      state: await sqlStateOf(c.query('select * from tenants')),
      publicUsage: (await c.query<{ usage: boolean }>("select has_schema_privilege('public', 'USAGE') as usage")).rows[0]?.usage,
    }));
    // Which error depends on whether `public` is visible to the role: with USAGE (the server's
    // default) the table resolves and SELECT is refused (42501); without, it does not resolve (42P01).
    expect(['42501', '42P01']).toContain(state);
    expect({ publicUsage, state }).toEqual({ publicUsage, state: publicUsage ? '42501' : '42P01' });
    // Whatever the visibility, naming the table in full is refused too.
    const qualified = await loginAs(await databaseLogin(t, a.slug), (c) => sqlStateOf(c.query('select * from public.tenants')));
    expect(qualified).toBe('42501');
  });

  it("A's role cannot create a role or a database", async () => {
    const states = await loginAs(await databaseLogin(t, a.slug), async (c) => ({
      role: await sqlStateOf(c.query(`create role ${quote(`${planOf(t, a).role}_escalated`)}`)),
      database: await sqlStateOf(c.query(`create database ${quote(`${planOf(t, a).role}_db`)}`)),
    }));
    expect(states).toEqual({ role: '42501', database: '42501' });
  });

  it(
    "a rolled-back tenant C leaves neither its role nor any of its schemas on the server",
    async () => {
      const c = await rolledBack(t);
      const plan = planOf(t, c);
      const left = await asAdmin(t, async (admin) => ({
        roles: (await admin.query<{ rolname: string }>('select rolname from pg_roles where rolname = $1', [plan.role])).rows,
        schemas: (await admin.query<{ nspname: string }>('select nspname from pg_namespace where nspname = any($1::text[])', [plan.schemas])).rows,
        // Nothing the role owned or was granted is left behind either (DROP OWNED BY).
        grants: (await admin.query<{ datname: string }>("select datname from pg_database where datacl::text like '%' || $1 || '=%'", [plan.role])).rows,
      }));
      expect(left).toEqual({ roles: [], schemas: [], grants: [] });
      expect(await tenantFootprint(t, c)).toEqual(NOTHING_LEFT);
      // Its Secret went with it: no login is left lying around for a dropped role.
      await expect(decodeSecret(t, c.slug, DATABASE_SECRET)).rejects.toThrow('no Secret');
    },
    LONG,
  );

  it(
    'an ENTERPRISE tenant gets a database of its own, which its role logs in to',
    async () => {
      const e = await provisioned(t, { tier: 'ENTERPRISE' });
      const plan = planOf(t, e);
      const prefix = tenantNamePrefixFor(t.database.url);
      expect(plan).toMatchObject({ isolation: 'DATABASE_PER_TENANT', database: `${prefix}matih_${e.slug.replaceAll('-', '_')}` });
      const present = await asAdmin(t, async (admin) => (await admin.query<{ datname: string }>('select datname from pg_database where datname = $1', [plan.database])).rows);
      expect(present).toEqual([{ datname: plan.database }]);

      const login = await databaseLogin(t, e.slug);
      expect(login).toMatchObject({ database: plan.database, user: plan.role });
      const seen = await loginAs(login, async (c) => ({
        who: (await c.query<{ user: string; db: string }>('select current_user as user, current_database() as db')).rows[0],
        seed: await readSeed(c, plan),
      }));
      expect(seen).toEqual({ who: { user: plan.role, db: plan.database }, seed: EXPECTED_SEED });
      // Its schemas are in its own database, not in the shared one.
      const shared = await asAdmin(t, async (admin) => (await admin.query<{ nspname: string }>('select nspname from pg_namespace where nspname = any($1::text[])', [plan.schemas])).rows);
      expect(shared).toEqual([]);
    },
    LONG,
  );

  it(
    "an ENTERPRISE tenant's database and role are dropped on rollback",
    async () => {
      const e = await rolledBack(t, { tier: 'ENTERPRISE' });
      const plan = planOf(t, e);
      const left = await asAdmin(t, async (admin) => ({
        databases: (await admin.query<{ datname: string }>('select datname from pg_database where datname = $1', [plan.database])).rows,
        roles: (await admin.query<{ rolname: string }>('select rolname from pg_roles where rolname = $1', [plan.role])).rows,
      }));
      expect(left).toEqual({ databases: [], roles: [] });
      expect(await tenantFootprint(t, e)).toEqual(NOTHING_LEFT);
    },
    LONG,
  );
});

describe('slugs that would break SQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ engine: {} });
  });
  afterAll(async () => {
    await t.close();
  });

  const counts = async () => ({
    tenants: Number((await t.database.db.selectFrom('tenants').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    jobs: Number((await t.database.db.selectFrom('tenantProvisioningJobs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    objects: Number((await t.database.db.selectFrom('simObjects').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
  });

  // Names reach SQL only as quoted identifiers, but the first wall is validation: none of these
  // gets a tenant record, let alone a schema.
  it.each(['acme"; drop table tenants; --', "Robert'); DROP", 'a_b', 'ab'])('refuses %j with a 400 naming the slug, and creates nothing', async (slug) => {
    const before = await counts();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: adminAuth, payload: tenantBody({ slug }) });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json<Problem>();
    expect(problem).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(problem.errors?.map((e) => ({ field: e.field, in: e.in }))).toEqual([{ field: 'slug', in: 'body' }]);
    expect(await counts()).toEqual(before);
  });
});
