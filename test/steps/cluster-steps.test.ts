import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepName } from '../../src/domain/plans.js';
import { tenantDatabasePlan } from '../../src/domain/tenant-database.js';
import { TIERS, type Tier } from '../../src/domain/tiers.js';
import { DriverError, type KubeObject, type ObjectRef, type TenantDatabaseConnection, type TenantDatabaseSpec } from '../../src/drivers/contract.js';
import { PostgresTenantDatabase } from '../../src/drivers/database/postgres-tenant-database.js';
import { AesGcmSecretBox } from '../../src/drivers/secrets/aes-gcm-secret-box.js';
import { EmbeddedDnsDriver } from '../../src/drivers/dns/embedded-dns-driver.js';
import { LocalCertificateAuthority } from '../../src/drivers/tls/local-ca.js';
import { dnsZoneStore } from '../../src/store/dns/dns-zones.js';
import { SimulatedCluster } from '../../src/drivers/simulated/simulated-cluster.js';
import { simObjectStore } from '../../src/store/sim/sim-objects.js';
import { KIND } from '../../src/steps/support/cluster-step.js';
import { FaultInjector } from '../../src/steps/support/fault-injection.js';
import { refOf } from '../../src/shared/kubernetes-objects.js';
import {
  DATABASE_SECRET,
  LABEL,
  applyQuotasManifests,
  configureNetworkingManifests,
  deployCoreServicesManifests,
  deployDataServicesManifests,
  deploySecretsManifests,
  environmentValuesName,
} from '../../src/steps/manifests/index.js';
import { buildStepRegistry } from '../../src/steps/registry.js';
import { CORE_SERVICES, dataServicesFor, deployedServicesFor } from '../../src/steps/support/services.js';
import type { StepContext, StepHandler, StepOptions, TenantFacts } from '../../src/steps/step.js';
import { PROVISION_OPERATION, testStepPorts } from '../support/step-ports.js';
import { TEST_ENVIRONMENT } from '../support/deploy-environment.js';
import { DEFAULT_NETWORK_ISOLATION } from '../support/network-isolation.js';
import { type TestDatabase, openTestDatabase, tenantNamePrefixFor } from '../support/databases.js';

/**
 * The cluster steps of a provisioning plan, driven one by one as the engine drives them (same
 * order, outputs handed on by step name), against the simulated cluster and the tenant database
 * driver on the PostgreSQL server. What is asserted is what users rely on: what a tenant gets,
 * that re-runs and repairs change only what differs, that secrets never rotate by accident nor
 * leak into outputs, and that rollback removes exactly what a step made.
 */

/* ------------------------------------------------------------------------------------------ *
 * Helpers
 * ------------------------------------------------------------------------------------------ */

/** The steps this file drives, in plan order. */
const PLAN: readonly StepName[] = [
  StepName.CREATE_NAMESPACE,
  StepName.APPLY_QUOTAS,
  StepName.SETUP_DATABASE,
  StepName.DEPLOY_SECRETS,
  StepName.DEPLOY_CORE_SERVICES,
  StepName.CONFIGURE_NETWORKING,
  StepName.DEPLOY_DATA_SERVICES,
  StepName.VERIFY,
];

/** The steps that own objects in the cluster (VERIFY only reads). */
const OWNING_STEPS = PLAN.filter((s) => s !== StepName.VERIFY);

/** Fixed, as the engine takes it from the tenant record: the namespace annotations must not change between runs. */
const PROVENANCE = { provisionedAt: '2025-01-15T10:00:00.000Z', provisionedBy: 'test' };

/** Generous waits: the sim makes everything ready at once unless a test sets a delay; tests that must time out use impatientVerify. */
const BASE_OPTIONS: Omit<StepOptions, 'tenantDbPrefix'> = {
  baseDomain: 'tenants.test.matih.ai',
  environment: TEST_ENVIRONMENT,
  readyTimeoutMs: 10_000,
  verifyTimeoutMs: 2_000,
  verifyIntervalMs: 50,
  loadBalancerWaitMs: 10_000,
  dnsTtl: 300,
  createParentZone: true,
  networkIsolation: DEFAULT_NETWORK_ISOLATION,
};

/** Long enough that nothing becomes ready by itself during a test: readiness then comes from markReady. */
const NEVER_BY_ITSELF_MS = 3_600_000;

function newTenant(tier: Tier): TenantFacts {
  const slug = `st-${randomBytes(3).toString('hex')}`;
  return { id: randomUUID(), slug, tier, region: 'eastus', cloudProvider: 'AZURE', adminEmail: `admin@${slug}.example.com`, namespace: `matih-${slug}` };
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejectionOf(work: Promise<unknown>): Promise<DriverError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DriverError);
  return error as DriverError;
}

const labelsOf = (o: KubeObject) => o.metadata.labels ?? {};
const ownedBy = (step: StepName) => (o: KubeObject) => labelsOf(o)[LABEL.step] === step;
const nameOf = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;
const namesOf = (objects: readonly KubeObject[]) => objects.map(nameOf).sort();

function countByKind(objects: readonly KubeObject[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of objects) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  return counts;
}

/** The kinds and counts a tier's tenant gets, derived from the same tables the steps use. */
function expectedKinds(tenant: TenantFacts): Record<string, number> {
  const quotas = countByKind(applyQuotasManifests(tenant));
  return {
    Namespace: 1,
    ServiceAccount: 1,
    Role: 1,
    RoleBinding: 1,
    ...quotas,
    // The database secret (SETUP_DATABASE), the five of DEPLOY_SECRETS and Grafana's admin login.
    Secret: 7,
    NetworkPolicy: configureNetworkingManifests(tenant, DEFAULT_NETWORK_ISOLATION).length,
    HelmRelease: deployedServicesFor(tenant.tier).length,
    // The environment's values every release reads (DEPLOY_CORE_SERVICES).
    ConfigMap: 1,
  };
}

function stringList(outputs: Readonly<Record<string, unknown>> | undefined, key: string): string[] {
  const value = outputs?.[key];
  expect(Array.isArray(value), `outputs.${key} is a list`).toBe(true);
  return value as string[];
}

const releaseRef = (tenant: TenantFacts, name: string): ObjectRef => ({ ...KIND.HelmRelease, namespace: tenant.namespace, name });
const ENVIRONMENT_VALUES = `ConfigMap/${environmentValuesName(TEST_ENVIRONMENT)}`;
const policyRef = (tenant: TenantFacts, name: string): ObjectRef => ({ ...KIND.NetworkPolicy, namespace: tenant.namespace, name });

/**
 * An object no declaration names but that carries a step's owner labels (what an older plan, or
 * a half-run, left behind), of a kind the step owns. Not a Namespace: deleting one would take the
 * tenant with it.
 */
function strayObject(tenant: TenantFacts, step: StepName): KubeObject {
  const metadata = { name: `stray-${step.toLowerCase().replaceAll('_', '-')}`, namespace: tenant.namespace, labels: { [LABEL.tenantId]: tenant.id, [LABEL.step]: step } };
  const byStep: Partial<Record<StepName, Omit<KubeObject, 'metadata'> & { apiVersion: string; kind: string }>> = {
    [StepName.CREATE_NAMESPACE]: { ...KIND.ServiceAccount },
    [StepName.APPLY_QUOTAS]: { ...KIND.LimitRange, spec: { limits: [{ type: 'Container', default: { cpu: '1' } }] } },
    [StepName.SETUP_DATABASE]: { ...KIND.Secret, type: 'Opaque', data: { OLD: Buffer.from('old').toString('base64') } },
    [StepName.DEPLOY_SECRETS]: { ...KIND.Secret, type: 'Opaque', data: { OLD: Buffer.from('old').toString('base64') } },
    [StepName.DEPLOY_CORE_SERVICES]: { ...KIND.HelmRelease, spec: { interval: '10m' } },
    [StepName.CONFIGURE_NETWORKING]: { ...KIND.NetworkPolicy, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
    [StepName.DEPLOY_DATA_SERVICES]: { ...KIND.HelmRelease, spec: { interval: '10m' } },
  };
  const body = byStep[step];
  if (!body) throw new Error(`${step} owns no objects`);
  return { ...body, metadata };
}

/** A copy of a declared object with one change, as someone editing it behind the step's back would make. */
function edited(object: KubeObject | undefined, change: (o: KubeObject & { spec: Record<string, unknown> }) => void): KubeObject {
  if (!object) throw new Error('no such declared object');
  const copy = structuredClone(object) as KubeObject & { spec: Record<string, unknown> };
  change(copy);
  return copy;
}

/** The simulated cluster, remembering what was applied and deleted, in which order (rollback order is spec/004's). */
class RecordingCluster extends SimulatedCluster {
  readonly applied: string[] = [];
  readonly deleted: string[] = [];
  override async apply(object: KubeObject): Promise<KubeObject> {
    this.applied.push(`${object.kind}/${object.metadata.name}`);
    return super.apply(object);
  }
  override async delete(ref: ObjectRef): Promise<void> {
    this.deleted.push(`${ref.kind}/${ref.name}`);
    await super.delete(ref);
  }
}

/* ------------------------------------------------------------------------------------------ *
 * The suite
 * ------------------------------------------------------------------------------------------ */

describe('cluster steps', () => {
  let database: TestDatabase;
  let tenantDatabase: PostgresTenantDatabase;
  let prefix = '';
  const secretKey = AesGcmSecretBox.generateKey();

  beforeAll(async () => {
    database = await openTestDatabase();
    // Roles and Enterprise databases are server-wide: the prefix ties them to this test database, which drops them on close.
    prefix = tenantNamePrefixFor(database.url);
    tenantDatabase = new PostgresTenantDatabase({ adminUrl: database.url, poolSize: 2 });
  });

  afterAll(async () => {
    await tenantDatabase.close();
    await database.close();
  });

  /** The drivers and step handlers as build-engine.ts wires them, over the test's database. */
  function makeEnv(options: Partial<StepOptions> = {}, cluster = new SimulatedCluster(simObjectStore(database.db), { delayMs: 0, pollMs: 20 })) {
    const db = database.db;
    const secretBox = new AesGcmSecretBox(secretKey);
    const dns = new EmbeddedDnsDriver(dnsZoneStore(db), { nameServers: ['ns1.tenants.test.matih.ai'], soaEmail: 'hostmaster@matih.ai', defaultTtl: 300 });
    const tls = { mode: 'local-ca' as const, issuer: new LocalCertificateAuthority(async (generate) => generate(), secretBox) };
    const steps = buildStepRegistry({ cluster, tenantDatabase, secretBox, dns, tls }, { ...BASE_OPTIONS, tenantDbPrefix: prefix, ...options }, testStepPorts(db));
    const handler = (name: StepName): StepHandler => {
      const found = steps.get(name);
      if (!found) throw new Error(`no handler for ${name}`);
      return found;
    };
    return { cluster, secretBox, handler };
  }
  type Env = ReturnType<typeof makeEnv>;

  /** VERIFY over the same cluster with short waits, for the cases where it must fail: the test stays fast. */
  const impatientVerify = (env: Env) => makeEnv({ readyTimeoutMs: 300, verifyTimeoutMs: 300 }, env.cluster).handler(StepName.VERIFY);

  /** One tenant's run through the steps: keeps each step's outputs by name, as the engine records them. */
  function tenantRun(tier: Tier, env: Env = makeEnv()) {
    const tenant = newTenant(tier);
    const outputs: Record<string, Record<string, unknown>> = {};
    const jobId = randomUUID();
    const context = (given: StepContext['outputs'] = outputs): StepContext => ({
      tenant,
      jobId,
      operation: PROVISION_OPERATION,
      outputs: given,
      signal: new AbortController().signal,
      provenance: PROVENANCE,
    });
    return {
      tenant,
      outputs,
      env,
      context,
      async run(step: StepName, handler: StepHandler = env.handler(step)): Promise<Record<string, unknown>> {
        const result = await handler.run(context());
        outputs[step] = result.outputs;
        return result.outputs;
      },
      async runAll(steps: readonly StepName[] = PLAN): Promise<void> {
        for (const step of steps) await this.run(step);
      },
      async rollback(step: StepName): Promise<void> {
        await env.handler(step).rollback(context());
      },
      /** Everything of the tenant in the cluster: its Namespace and what is inside it. */
      async objects(): Promise<KubeObject[]> {
        const namespaces = await env.cluster.listAll('', 'Namespace');
        return [...namespaces.filter((n) => n.metadata.name === tenant.namespace), ...(await env.cluster.listAll(tenant.namespace))];
      },
      /** The decoded `data` of every Secret in the namespace, by name. */
      async secretValues(): Promise<Record<string, Record<string, string>>> {
        const secrets = await env.cluster.listAll(tenant.namespace, 'Secret');
        return Object.fromEntries(
          secrets.map((s) => [
            s.metadata.name,
            Object.fromEntries(Object.entries(s.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])),
          ]),
        );
      },
      /** What SETUP_DATABASE asked of the driver, rebuilt from its outputs (the isolation it recorded). */
      databaseSpec(): TenantDatabaseSpec {
        const isolation = outputs[StepName.SETUP_DATABASE]?.isolation as TenantDatabaseSpec['isolation'];
        return tenantDatabasePlan(tenant.id, tenant.slug, isolation, prefix);
      },
    };
  }

  /* ---------------------------------------------------------------------------------------- */

  describe('what a tenant gets', () => {
    it("a Professional tenant: exactly the namespace, RBAC, quota, seven secrets, twelve policies (network-policies.test.ts), the environment's values and fourteen releases", async () => {
      const t = tenantRun('PROFESSIONAL');
      await t.runAll();

      const objects = await t.objects();
      expect(countByKind(objects)).toEqual({
        Namespace: 1, ServiceAccount: 1, Role: 1, RoleBinding: 1, ResourceQuota: 1, LimitRange: 1, Secret: 7, NetworkPolicy: 12, HelmRelease: 14, ConfigMap: 1,
      });
      expect(countByKind(objects)).toEqual(expectedKinds(t.tenant));
      // Every object says whose it is and which step made it: drift, pruning and rollback select by these.
      for (const o of objects) expect(labelsOf(o)[LABEL.tenantId], nameOf(o)).toBe(t.tenant.id);
      // What each step reports it holds is what it labelled as its own.
      for (const step of OWNING_STEPS) {
        expect(stringList(t.outputs[step], 'objects').sort(), step).toEqual(namesOf(objects.filter(ownedBy(step))));
      }
      expect(t.outputs[StepName.SETUP_DATABASE]).toMatchObject({ isolation: 'SCHEMA_PER_TENANT', verifiedLogin: true });
      expect(t.outputs[StepName.SETUP_DATABASE]).not.toHaveProperty('requestedIsolation');
      expect(t.outputs[StepName.VERIFY]).toEqual({ healthy: deployedServicesFor('PROFESSIONAL') });
    });

    it('a Free tenant: only the Free subset of services is released', async () => {
      const t = tenantRun('FREE');
      await t.runAll();

      const objects = await t.objects();
      expect(countByKind(objects)).toEqual(expectedKinds(t.tenant));
      const releases = objects.filter((o) => o.kind === 'HelmRelease').map((o) => o.metadata.name);
      expect(releases).toHaveLength(9);
      expect(releases.sort()).toEqual([...deployedServicesFor('FREE')].sort());
      expect(t.outputs[StepName.DEPLOY_DATA_SERVICES]?.services).toEqual(dataServicesFor('FREE'));
      expect(t.outputs[StepName.VERIFY]).toEqual({ healthy: deployedServicesFor('FREE') });
    });

    it('an Enterprise tenant: no quota, and a database of its own on the server', async () => {
      const t = tenantRun('ENTERPRISE');
      await t.runAll();

      // Enterprise is unlimited: the builder declares nothing, and the step holds nothing.
      expect(applyQuotasManifests(t.tenant)).toEqual([]);
      expect(t.outputs[StepName.APPLY_QUOTAS]).toMatchObject({ objects: [], applied: [], pruned: [] });
      const objects = await t.objects();
      expect(countByKind(objects)).toEqual(expectedKinds(t.tenant));
      expect(objects.some((o) => o.kind === 'ResourceQuota' || o.kind === 'LimitRange')).toBe(false);
      expect(countByKind(objects).HelmRelease).toBe(14);

      const database = t.outputs[StepName.SETUP_DATABASE];
      expect(database).toMatchObject({ isolation: 'DATABASE_PER_TENANT', database: `${prefix}matih_${t.tenant.slug.replaceAll('-', '_')}` });
      expect(database).not.toHaveProperty('requestedIsolation');
      const observed = await tenantDatabase.observe(t.databaseSpec());
      expect(observed.rolePresent).toBe(true);
      expect(observed.schemasPresent.sort()).toEqual([...t.databaseSpec().schemas].sort());
      expect(observed.databasePresent).toBe(true);
    });
  });

  /* ---------------------------------------------------------------------------------------- */

  describe('running again (idempotence)', () => {
    it.each(TIERS)('a second run of every step applies nothing for a %s tenant: no object is written twice', async (tier) => {
      const t = tenantRun(tier);
      await t.runAll();
      await t.runAll();

      for (const step of OWNING_STEPS) {
        expect(stringList(t.outputs[step], 'applied'), step).toEqual([]);
        if (step !== StepName.SETUP_DATABASE) expect(stringList(t.outputs[step], 'pruned'), step).toEqual([]);
      }
      for (const o of await t.objects()) expect(await t.env.cluster.applyCount(refOf(o)), nameOf(o)).toBe(1);
    });

    it('a re-run rotates no secret: the Secret values of SETUP_DATABASE and DEPLOY_SECRETS stay as they were', async () => {
      const t = tenantRun('PROFESSIONAL');
      await t.runAll(PLAN.slice(0, PLAN.indexOf(StepName.DEPLOY_SECRETS) + 1));
      const before = await t.secretValues();
      expect(Object.keys(before).sort()).toEqual([
        DATABASE_SECRET, 'tenant-db-credentials', 'tenant-grafana-admin', 'tenant-jwt-secret', 'tenant-kafka-credentials', 'tenant-llm-api-key', 'tenant-redis-credentials',
      ]);

      await t.run(StepName.SETUP_DATABASE);
      await t.run(StepName.DEPLOY_SECRETS);
      expect(await t.secretValues()).toEqual(before);
      // The login written down still is the role's password: the re-run set the same one again.
      const spec = t.databaseSpec();
      const connection = JSON.parse(t.env.secretBox.open(t.outputs[StepName.SETUP_DATABASE]?.credentials as string)) as TenantDatabaseConnection;
      expect(connection.password).toBe(before[DATABASE_SECRET]?.POSTGRES_PASSWORD);
      await expect(tenantDatabase.verify(connection, spec)).resolves.toBeUndefined();
    });
  });

  /* ---------------------------------------------------------------------------------------- */

  describe('database credentials', () => {
    it('SETUP_DATABASE outputs carry the login sealed, never the password in clear', async () => {
      const t = tenantRun('PROFESSIONAL');
      await t.runAll();
      const secret = (await t.secretValues())[DATABASE_SECRET];
      const password = secret?.POSTGRES_PASSWORD;
      expect(password).toBeTruthy();

      // Outputs go to the history and to events: no form of the password may appear in any step's.
      const everything = JSON.stringify(t.outputs);
      for (const form of [password as string, Buffer.from(password as string).toString('base64'), encodeURIComponent(password as string)]) {
        expect(everything).not.toContain(form);
      }

      const sealed = t.outputs[StepName.SETUP_DATABASE]?.credentials;
      expect(typeof sealed).toBe('string');
      const connection = JSON.parse(new AesGcmSecretBox(secretKey).open(sealed as string)) as TenantDatabaseConnection;
      expect(connection).toMatchObject({ user: secret?.POSTGRES_USER, password, database: secret?.POSTGRES_DB });
      expect(connection.user).toBe(t.databaseSpec().role);
      // DEPLOY_SECRETS took the same login from the sealed outputs: the two secrets cannot disagree.
      expect((await t.secretValues())['tenant-db-credentials']).toEqual({ POSTGRES_USER: connection.user, POSTGRES_PASSWORD: password });
    });

    it('DEPLOY_SECRETS without the outputs of SETUP_DATABASE fails permanently and writes no secret', async () => {
      const t = tenantRun('PROFESSIONAL');
      await t.runAll([StepName.CREATE_NAMESPACE, StepName.APPLY_QUOTAS]);

      const error = await rejectionOf(t.run(StepName.DEPLOY_SECRETS));
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(StepName.SETUP_DATABASE);
      expect(await t.env.cluster.listAll(t.tenant.namespace, 'Secret')).toEqual([]);
    });
  });

  /* ---------------------------------------------------------------------------------------- */

  describe('drift: a re-run repairs what differs, and only that', () => {
    it('a deleted HelmRelease and a deleted NetworkPolicy are applied again, nothing else', async () => {
      const t = tenantRun('PROFESSIONAL');
      await t.runAll();
      const release = 'bi-service';
      const policy = configureNetworkingManifests(t.tenant, DEFAULT_NETWORK_ISOLATION)[0]?.metadata.name as string;
      expect(await t.env.cluster.remove(releaseRef(t.tenant, release))).toBe(true);
      expect(await t.env.cluster.remove(policyRef(t.tenant, policy))).toBe(true);

      await t.runAll(OWNING_STEPS);

      expect(t.outputs[StepName.DEPLOY_DATA_SERVICES]).toMatchObject({ applied: [`HelmRelease/${release}`], pruned: [] });
      expect(t.outputs[StepName.CONFIGURE_NETWORKING]).toMatchObject({ applied: [`NetworkPolicy/${policy}`], pruned: [] });
      for (const step of OWNING_STEPS.filter((s) => s !== StepName.DEPLOY_DATA_SERVICES && s !== StepName.CONFIGURE_NETWORKING)) {
        expect(stringList(t.outputs[step], 'applied'), step).toEqual([]);
      }
      expect(countByKind(await t.objects())).toEqual(expectedKinds(t.tenant));
    });

    it('an object changed behind the step is applied again, back to its declaration', async () => {
      const t = tenantRun('PROFESSIONAL');
      await t.runAll();
      const declared = deployCoreServicesManifests(t.tenant, TEST_ENVIRONMENT).find((o) => o.metadata.name === 'query-engine');
      const ref = releaseRef(t.tenant, 'query-engine');
      await t.env.cluster.apply(edited(declared, (o) => ((o.spec.values as { replicaCount: number }).replicaCount = 5)));
      expect(await t.env.cluster.applyCount(ref)).toBe(2);

      const outputs = await t.run(StepName.DEPLOY_CORE_SERVICES);

      expect(outputs).toMatchObject({ applied: ['HelmRelease/query-engine'], pruned: [] });
      expect(await t.env.cluster.applyCount(ref)).toBe(3);
      const live = await t.env.cluster.get(ref);
      expect((live?.spec as { values: { replicaCount: number } }).values.replicaCount).toBe(1);
    });

    it("an extra object carrying the step's owner labels is pruned; another step's is left alone", async () => {
      const t = tenantRun('PROFESSIONAL');
      await t.runAll();
      const extra = (step: StepName, object: { apiVersion: string; kind: string; spec: Record<string, unknown> }, name: string): KubeObject => ({
        ...object,
        metadata: { name, namespace: t.tenant.namespace, labels: { [LABEL.tenantId]: t.tenant.id, [LABEL.step]: step } },
      });
      await t.env.cluster.apply(extra(StepName.CONFIGURE_NETWORKING, { ...KIND.NetworkPolicy, spec: { podSelector: {}, policyTypes: ['Ingress'] } }, 'leftover-allow-all'));
      // A release the core step owns: data services share the kind but not the owner, so they must not prune it.
      await t.env.cluster.apply(extra(StepName.DEPLOY_CORE_SERVICES, { ...KIND.HelmRelease, spec: { interval: '10m' } }, 'retired-service'));

      const networking = await t.run(StepName.CONFIGURE_NETWORKING);
      const data = await t.run(StepName.DEPLOY_DATA_SERVICES);

      expect(networking).toMatchObject({ applied: [], pruned: ['NetworkPolicy/leftover-allow-all'] });
      expect(await t.env.cluster.get(policyRef(t.tenant, 'leftover-allow-all'))).toBeUndefined();
      expect(data).toMatchObject({ applied: [], pruned: [] });
      expect(await t.env.cluster.get(releaseRef(t.tenant, 'retired-service'))).toBeDefined();

      const core = await t.run(StepName.DEPLOY_CORE_SERVICES);
      expect(core).toMatchObject({ applied: [], pruned: ['HelmRelease/retired-service'] });
      expect(countByKind(await t.objects())).toEqual(expectedKinds(t.tenant));
    });

    it.each(OWNING_STEPS)('%s deletes an undeclared object carrying its owner labels on a re-run', async (step) => {
      const t = tenantRun('PROFESSIONAL');
      await t.runAll(OWNING_STEPS);
      const leftover = strayObject(t.tenant, step);
      await t.env.cluster.apply(leftover);

      const outputs = await t.run(step);

      expect(await t.env.cluster.get(refOf(leftover))).toBeUndefined();
      expect(stringList(outputs, 'applied')).toEqual([]);
      expect(countByKind(await t.objects())).toEqual(expectedKinds(t.tenant));
    });

    // Every other cluster step lists what it pruned, so the history says what a run deleted.
    it.each(OWNING_STEPS.filter((s) => s !== StepName.SETUP_DATABASE))('%s lists what it pruned in outputs.pruned', async (step) => {
      const t = tenantRun('PROFESSIONAL');
      await t.runAll(OWNING_STEPS);
      const leftover = strayObject(t.tenant, step);
      await t.env.cluster.apply(leftover);

      expect(stringList(await t.run(step), 'pruned')).toEqual([nameOf(leftover)]);
    });

    // SETUP_DATABASE builds its handler by hand (not clusterStep): it must report pruning as the others do.
    it('SETUP_DATABASE lists what it pruned in outputs.pruned', async () => {
      const t = tenantRun('PROFESSIONAL');
      await t.runAll(OWNING_STEPS);
      const leftover = strayObject(t.tenant, StepName.SETUP_DATABASE);
      await t.env.cluster.apply(leftover);

      expect(await t.run(StepName.SETUP_DATABASE)).toMatchObject({ pruned: [nameOf(leftover)] });
    });

    it('a tier change adds the releases the new tier has, resizes the others and prunes those it has not', async () => {
      const t = tenantRun('FREE');
      await t.runAll(OWNING_STEPS);
      const extra = dataServicesFor('PROFESSIONAL').filter((s) => !dataServicesFor('FREE').includes(s));
      expect(extra.length).toBeGreaterThan(0);

      // Free's services are sized to fit Free's quota (helm-releases.ts): every release the two
      // tiers share changes size too, so the upgrade applies all of Professional's releases.
      const upgraded = { ...t.tenant, tier: 'PROFESSIONAL' as const };
      const up = await t.env.handler(StepName.DEPLOY_DATA_SERVICES).run({ ...t.context(), tenant: upgraded });
      expect(up.outputs).toMatchObject({ applied: dataServicesFor('PROFESSIONAL').map((s) => `HelmRelease/${s}`), pruned: [] });

      const down = await t.env.handler(StepName.DEPLOY_DATA_SERVICES).run(t.context());
      expect(down.outputs).toMatchObject({
        applied: dataServicesFor('FREE').map((s) => `HelmRelease/${s}`),
        pruned: expect.arrayContaining(extra.map((s) => `HelmRelease/${s}`)) as unknown,
      });
      expect(stringList(down.outputs, 'pruned')).toHaveLength(extra.length);
      expect(countByKind(await t.objects())).toEqual(expectedKinds(t.tenant));
    });
  });

  /* ---------------------------------------------------------------------------------------- */

  describe('rollback', () => {
    // CREATE_NAMESPACE is apart: deleting the Namespace takes everything inside with it (tested below).
    const inNamespaceSteps = OWNING_STEPS.filter((s) => s !== StepName.CREATE_NAMESPACE);

    it.each(inNamespaceSteps)("rolling back %s removes exactly the step's own objects", async (step) => {
      const t = tenantRun('PROFESSIONAL');
      await t.runAll();
      const before = await t.objects();
      const own = before.filter(ownedBy(step));
      expect(own.length, 'the step made something to roll back').toBeGreaterThan(0);

      await t.rollback(step);

      expect(namesOf(await t.objects())).toEqual(namesOf(before.filter((o) => !ownedBy(step)(o))));
      if (step === StepName.SETUP_DATABASE) {
        expect(await tenantDatabase.observe(t.databaseSpec())).toEqual({ rolePresent: false, databasePresent: false, schemasPresent: [], migrationVersion: null });
      } else {
        // Other steps leave the tenant's database alone.
        expect((await tenantDatabase.observe(t.databaseSpec())).rolePresent).toBe(true);
      }
    });

    it('uninstalls releases in reverse order of installation, and deletes the Namespace last', async () => {
      const cluster = new RecordingCluster(simObjectStore(database.db), { delayMs: 0, pollMs: 20 });
      const t = tenantRun('PROFESSIONAL', makeEnv({}, cluster));
      await t.runAll(OWNING_STEPS);
      // The environment's values go in before the first release that reads them...
      const installed = [...CORE_SERVICES, ...dataServicesFor('PROFESSIONAL')].map((s) => `HelmRelease/${s}`);
      expect(cluster.applied.filter((o) => o === ENVIRONMENT_VALUES || o.startsWith('HelmRelease/'))).toEqual([ENVIRONMENT_VALUES, ...installed]);

      await t.rollback(StepName.DEPLOY_DATA_SERVICES);
      await t.rollback(StepName.DEPLOY_CORE_SERVICES);
      // spec/004: dependants go before what they depend on; ...and come out after the last release.
      expect(cluster.deleted).toEqual([...installed].reverse().concat(ENVIRONMENT_VALUES));

      cluster.deleted.length = 0;
      await t.rollback(StepName.CREATE_NAMESPACE);
      expect(cluster.deleted.at(-1)).toBe(`Namespace/${t.tenant.namespace}`);
    });

    it('rolling back CREATE_NAMESPACE deletes the Namespace, and with it whatever is inside', async () => {
      const t = tenantRun('PROFESSIONAL');
      await t.runAll();
      await t.rollback(StepName.CREATE_NAMESPACE);
      expect(await t.objects()).toEqual([]);
    });

    it('rolling back every step in reverse empties the namespace and drops the database; twice is fine', async () => {
      // Enterprise has a database of its own on the server: its rollback must drop that too.
      const t = tenantRun('ENTERPRISE');
      await t.runAll();
      const spec = t.databaseSpec();
      expect((await tenantDatabase.observe(spec)).rolePresent).toBe(true);

      for (let round = 1; round <= 2; round++) {
        for (const step of [...PLAN].reverse()) await t.rollback(step);
        expect(await t.objects(), `round ${round}`).toEqual([]);
        const anywhere = (await t.env.cluster.listAll()).filter((o) => labelsOf(o)[LABEL.tenantId] === t.tenant.id);
        expect(anywhere, `round ${round}`).toEqual([]);
        expect(await tenantDatabase.observe(spec), `round ${round}`).toEqual({ rolePresent: false, databasePresent: false, schemasPresent: [], migrationVersion: null });
      }
    });

    it('each rollback run twice is fine, also on a tenant that never ran', async () => {
      const t = tenantRun('PROFESSIONAL');
      for (const step of [...OWNING_STEPS].reverse()) {
        // Without SETUP_DATABASE outputs rollback must still know what to drop: it derives the spec from the tenant.
        await t.rollback(step);
        await t.rollback(step);
      }
      expect(await t.objects()).toEqual([]);
    });

    it('after a half-run, rollback removes the objects made so far, declared or not', async () => {
      const t = tenantRun('PROFESSIONAL');
      await t.runAll([StepName.CREATE_NAMESPACE, StepName.APPLY_QUOTAS, StepName.SETUP_DATABASE]);
      const connection = JSON.parse(t.env.secretBox.open(t.outputs[StepName.SETUP_DATABASE]?.credentials as string)) as TenantDatabaseConnection;
      const values = { redisPassword: 'r', kafka: { username: 'k', password: 'p' }, jwtSigningKey: 'j', llmApiKey: 'l', grafanaAdminPassword: 'g' };
      const owner = (step: StepName) => ({ [LABEL.tenantId]: t.tenant.id, [LABEL.step]: step });
      // As a crash would leave them: one of DEPLOY_SECRETS' secrets, the environment's values and
      // one core release, and a release its labels say the core step made though it declares no
      // such service (an older plan).
      const halfSecrets = deploySecretsManifests(t.tenant, values, connection).slice(0, 1);
      const halfReleases = deployCoreServicesManifests(t.tenant, TEST_ENVIRONMENT).slice(0, 2);
      expect(halfReleases.map(nameOf)).toEqual([ENVIRONMENT_VALUES, `HelmRelease/${CORE_SERVICES[0]}`]);
      const undeclared: KubeObject = { ...KIND.HelmRelease, metadata: { name: 'old-service', namespace: t.tenant.namespace, labels: owner(StepName.DEPLOY_CORE_SERVICES) }, spec: { interval: '10m' } };
      for (const o of [...halfSecrets, ...halfReleases, undeclared]) await t.env.cluster.apply(o);
      const before = await t.objects();

      await t.rollback(StepName.DEPLOY_CORE_SERVICES);
      await t.rollback(StepName.DEPLOY_SECRETS);

      const gone = new Set(namesOf([...halfSecrets, ...halfReleases, undeclared]));
      expect(namesOf(await t.objects())).toEqual(namesOf(before.filter((o) => !gone.has(nameOf(o)))));
      expect(await t.env.cluster.listAll(t.tenant.namespace, 'HelmRelease')).toEqual([]);
      // The database secret belongs to SETUP_DATABASE, which was not rolled back.
      expect((await t.env.cluster.listAll(t.tenant.namespace, 'Secret')).map((s) => s.metadata.name)).toEqual([DATABASE_SECRET]);
    });
  });

  /* ---------------------------------------------------------------------------------------- */

  describe('VERIFY', () => {
    it('passes when every release is ready, listing every deployed service as healthy', async () => {
      const t = tenantRun('PROFESSIONAL');
      await t.runAll(OWNING_STEPS);
      const outputs = await t.run(StepName.VERIFY);
      expect(outputs).toEqual({ healthy: [...CORE_SERVICES, ...dataServicesFor('PROFESSIONAL')] });
    });

    it('fails retryably, naming the service, when a release is missing', async () => {
      const t = tenantRun('PROFESSIONAL');
      await t.runAll(OWNING_STEPS);
      await t.env.cluster.remove(releaseRef(t.tenant, 'semantic-layer'));

      const error = await rejectionOf(t.run(StepName.VERIFY, impatientVerify(t.env)));
      expect(error.retryable).toBe(true);
      expect(error.message).toContain(`${t.tenant.namespace}/semantic-layer`);
      expect(error.message).not.toContain(`${t.tenant.namespace}/bi-service`);
    });

    it('waits for a release the sim has not made ready yet, and passes once it is', async () => {
      const t = tenantRun('PROFESSIONAL');
      const env = t.env;
      await t.runAll(OWNING_STEPS);
      // A changed release rolls out again: with this delay it is not ready until markReady says so.
      env.cluster.configure({ delayMs: NEVER_BY_ITSELF_MS });
      const declared = deployDataServicesManifests(t.tenant, TEST_ENVIRONMENT).find((o) => o.metadata.name === 'ml-service');
      await env.cluster.apply(edited(declared, (o) => ((o.spec.values as { replicaCount: number }).replicaCount = 2)));

      // Not ready means VERIFY cannot pass: a short wait fails, naming the release still rolling out.
      const error = await rejectionOf(t.run(StepName.VERIFY, impatientVerify(env)));
      expect(error.retryable).toBe(true);
      expect(error.message).toContain(`${t.tenant.namespace}/ml-service`);

      // With time enough to wait (BASE_OPTIONS), VERIFY is under way when the release becomes ready.
      const verifying = t.run(StepName.VERIFY);
      await env.cluster.markReady(releaseRef(t.tenant, 'ml-service'));
      await expect(verifying).resolves.toEqual({ healthy: deployedServicesFor('PROFESSIONAL') });
    });

    it('passes by itself once the sim delay has run out', async () => {
      const t = tenantRun('PROFESSIONAL');
      const env = t.env;
      await t.runAll(OWNING_STEPS);
      env.cluster.configure({ delayMs: 400 });
      const declared = deployCoreServicesManifests(t.tenant, TEST_ENVIRONMENT).find((o) => o.metadata.name === 'ai-service');
      await env.cluster.apply(edited(declared, (o) => ((o.spec.values as { replicaCount: number }).replicaCount = 2)));

      await expect(t.run(StepName.VERIFY)).resolves.toEqual({ healthy: deployedServicesFor('PROFESSIONAL') });
      expect(await env.cluster.probe({ namespace: t.tenant.namespace, name: 'ai-service', port: 'http' }, '/health')).toMatchObject({ healthy: true });
    });
  });

  /* ---------------------------------------------------------------------------------------- */

  describe('fault injection', () => {
    it('a permanent fault fails the step after its work is done', async () => {
      const t = tenantRun('PROFESSIONAL');
      const faults = new FaultInjector([{ step: StepName.CREATE_NAMESPACE, kind: 'permanent', times: 1 }]);

      const error = await rejectionOf(t.run(StepName.CREATE_NAMESPACE, faults.wrap(t.env.handler(StepName.CREATE_NAMESPACE))));

      expect(error.retryable).toBe(false);
      // The fault comes after the work, as a cloud that did the change but answered with an error.
      expect(countByKind(await t.objects())).toEqual({ Namespace: 1, ServiceAccount: 1, Role: 1, RoleBinding: 1 });
      // Steps it does not name are untouched.
      await expect(t.run(StepName.APPLY_QUOTAS, faults.wrap(t.env.handler(StepName.APPLY_QUOTAS)))).resolves.toMatchObject({ applied: ['ResourceQuota/tenant-quota', 'LimitRange/tenant-limits'] });
    });

    it('a retryable fault with times: 2 fails twice, then passes; counted per tenant', async () => {
      const faults = new FaultInjector([{ step: StepName.CREATE_NAMESPACE, kind: 'retryable', times: 2 }]);
      const env = makeEnv();
      const step = faults.wrap(env.handler(StepName.CREATE_NAMESPACE));
      const first = tenantRun('FREE', env);
      const second = tenantRun('FREE', env);

      for (const attempt of [1, 2]) {
        const error = await rejectionOf(first.run(StepName.CREATE_NAMESPACE, step));
        expect(error.retryable, `attempt ${attempt}`).toBe(true);
      }
      await expect(first.run(StepName.CREATE_NAMESPACE, step)).resolves.toMatchObject({ namespace: first.tenant.namespace, applied: [] });
      // Another tenant has faults of its own to go through.
      expect((await rejectionOf(second.run(StepName.CREATE_NAMESPACE, step))).retryable).toBe(true);
    });

    it('counts two steps of one tenant running at once, and not steps of two tenants', async () => {
      const faults = new FaultInjector();
      const env = makeEnv();
      const [namespace, quotas] = [StepName.CREATE_NAMESPACE, StepName.APPLY_QUOTAS].map((s) => faults.wrap(env.handler(s))) as [StepHandler, StepHandler];
      const a = tenantRun('PROFESSIONAL', env);
      const b = tenantRun('PROFESSIONAL', env);

      await Promise.all([a.run(StepName.CREATE_NAMESPACE, namespace), b.run(StepName.CREATE_NAMESPACE, namespace)]);
      expect(faults.concurrentStepViolations).toBe(0);
      await Promise.all([a.run(StepName.APPLY_QUOTAS, quotas), a.run(StepName.CREATE_NAMESPACE, namespace)]);
      expect(faults.concurrentStepViolations).toBe(1);
      // One after the other is what the engine does: no violation.
      await a.run(StepName.APPLY_QUOTAS, quotas);
      await a.run(StepName.CREATE_NAMESPACE, namespace);
      expect(faults.concurrentStepViolations).toBe(1);
    });

    // Overlaps are counted while any earlier step still runs, not only the latest one. Held steps
    // (stubs released by hand) make the overlap exact, with no timing.
    it('counts every step that starts while another step of the tenant still runs', async () => {
      const faults = new FaultInjector();
      const held = (name: StepName) => {
        let release: () => void = () => {};
        const gate = new Promise<void>((resolve) => (release = resolve));
        const handler: StepHandler = { name, run: async () => (await gate, { outputs: {} }), rollback: async () => {} };
        return { step: faults.wrap(handler), release };
      };
      const t = tenantRun('PROFESSIONAL');
      const [slow, fast, third] = [StepName.CREATE_NAMESPACE, StepName.APPLY_QUOTAS, StepName.SETUP_DATABASE].map(held) as [
        ReturnType<typeof held>, ReturnType<typeof held>, ReturnType<typeof held>,
      ];

      const running = slow.step.run(t.context());
      fast.release();
      await fast.step.run(t.context()); // overlaps `slow`: one violation
      third.release();
      await third.step.run(t.context()); // overlaps `slow` too: a second one
      slow.release();
      await running;

      expect(faults.concurrentStepViolations).toBe(2);
    });
  });
});
