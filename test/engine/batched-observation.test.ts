import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { StepName } from '../../src/domain/plans.js';
import type { Tier } from '../../src/domain/tiers.js';
import type { DnsDriver, TenantDatabaseDriver } from '../../src/drivers/contract.js';
import { PostgresTenantDatabase } from '../../src/drivers/database/postgres-tenant-database.js';
import { EmbeddedDnsDriver } from '../../src/drivers/dns/embedded-dns-driver.js';
import { AesGcmSecretBox } from '../../src/drivers/secrets/aes-gcm-secret-box.js';
import { SimulatedCluster } from '../../src/drivers/simulated/simulated-cluster.js';
import { DriftDetector } from '../../src/engine/drift-detector.js';
import { createDnsZone } from '../../src/steps/handlers/create-dns-zone.js';
import { setupDatabase } from '../../src/steps/handlers/setup-database.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions, TenantFacts } from '../../src/steps/step.js';
import { dnsZoneStore } from '../../src/store/dns/dns-zones.js';
import type { ReconcileCandidate } from '../../src/store/reconcile/list-reconcile-candidates.js';
import { simObjectStore } from '../../src/store/sim/sim-objects.js';
import { type TestDatabase, openTestDatabase, tenantNamePrefixFor } from '../support/databases.js';
import { TEST_ENVIRONMENT } from '../support/deploy-environment.js';
import { DEFAULT_NETWORK_ISOLATION } from '../support/network-isolation.js';
import { PROVISION_OPERATION } from '../support/step-ports.js';

/**
 * The drift detector's page of tenants read in batches (one catalog statement for the tenants'
 * databases, one read of their DNS zones) finds exactly what reading tenant by tenant finds: each
 * kind of drift in the tenant that has it, nothing in the healthy ones around it. Tenants here are
 * made by the real SETUP_DATABASE and CREATE_DNS_ZONE steps on the test's server and embedded DNS.
 */

const PARENT = 'batch.matih.test';
const LB_IP = '203.0.113.7';
const PROVENANCE = { provisionedAt: '2026-01-15T10:00:00.000Z', provisionedBy: 'test' };

interface Made {
  facts: TenantFacts;
  outputs: Record<string, Record<string, unknown>>;
}

describe('batched observation of a page of tenants', () => {
  let database: TestDatabase;
  let admin: pg.Client;
  let tenantDatabase: PostgresTenantDatabase;
  let dns: EmbeddedDnsDriver;
  let cluster: SimulatedCluster;
  let steps: Map<StepName, StepHandler>;
  let options: StepOptions;
  const tenants: Made[] = [];

  beforeAll(async () => {
    database = await openTestDatabase();
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    tenantDatabase = new PostgresTenantDatabase({ adminUrl: database.url, poolSize: 4 });
    dns = new EmbeddedDnsDriver(dnsZoneStore(database.db), { nameServers: [`ns1.${PARENT}`], soaEmail: `hostmaster@${PARENT}`, defaultTtl: 300 });
    cluster = new SimulatedCluster(simObjectStore(database.db), { delayMs: 0, pollMs: 20 });
    const secretBox = new AesGcmSecretBox(AesGcmSecretBox.generateKey());
    const drivers: StepDrivers = { cluster, tenantDatabase, secretBox, dns, tls: { mode: 'cert-manager' } };
    options = {
      baseDomain: PARENT,
      environment: TEST_ENVIRONMENT,
      readyTimeoutMs: 5_000,
      verifyTimeoutMs: 1_000,
      verifyIntervalMs: 50,
      tenantDbPrefix: tenantNamePrefixFor(database.url),
      loadBalancerWaitMs: 5_000,
      dnsTtl: 120,
      createParentZone: true,
      networkIsolation: DEFAULT_NETWORK_ISOLATION,
    };
    steps = new Map<StepName, StepHandler>([
      [StepName.SETUP_DATABASE, setupDatabase(drivers, options)],
      [StepName.CREATE_DNS_ZONE, createDnsZone(drivers, options)],
    ]);
    // Ten Professional tenants and two Enterprise ones (a database each), four at a time.
    const tiers: Tier[] = [...Array<Tier>(10).fill('PROFESSIONAL'), 'ENTERPRISE', 'ENTERPRISE'];
    for (let i = 0; i < tiers.length; i += 4) tenants.push(...(await Promise.all(tiers.slice(i, i + 4).map((tier) => makeTenant(tier)))));
  }, 120_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    await tenantDatabase?.close();
    await admin?.end();
    await database?.close();
  });

  /** A tenant through SETUP_DATABASE and CREATE_DNS_ZONE, outputs kept as the engine keeps them. */
  async function makeTenant(tier: Tier): Promise<Made> {
    const slug = `bo-${randomBytes(3).toString('hex')}`;
    const facts: TenantFacts = { id: randomUUID(), slug, tier, region: 'eastus', cloudProvider: 'AZURE', adminEmail: `admin@${slug}.example.com`, namespace: `matih-${slug}` };
    const outputs: Record<string, Record<string, unknown>> = { [StepName.DEPLOY_INGRESS_CONTROLLER]: { loadBalancerIp: LB_IP } };
    for (const step of [StepName.SETUP_DATABASE, StepName.CREATE_DNS_ZONE]) {
      const ctx: StepContext = { tenant: facts, jobId: randomUUID(), operation: PROVISION_OPERATION, outputs, signal: new AbortController().signal, provenance: PROVENANCE };
      outputs[step] = (await steps.get(step)!.run(ctx)).outputs;
    }
    return { facts, outputs };
  }

  /** The tenant as the reconciler's page lists it. */
  function candidate({ facts, outputs }: Made): ReconcileCandidate {
    return {
      tenantId: facts.id,
      slug: facts.slug,
      tier: facts.tier,
      status: 'ACTIVE',
      namespace: facts.namespace,
      generation: 1,
      observedGeneration: 1,
      suspended: false,
      phaseOutputs: outputs,
      lastJobCommitAt: new Date(),
      stateJobId: randomUUID(),
      infrastructureStatus: 'ACTIVE',
    };
  }

  /** The drivers with their batched reads, counted; or without them (tenant by tenant). */
  function detector(batched: boolean, calls = { observeMany: 0, observeZones: 0, observe: 0, observeZone: 0 }) {
    const db: TenantDatabaseDriver = {
      observe: (spec) => (calls.observe++, tenantDatabase.observe(spec)),
      ensure: (spec, password) => tenantDatabase.ensure(spec, password),
      verify: (connection, spec) => tenantDatabase.verify(connection, spec),
      drop: (spec) => tenantDatabase.drop(spec),
      ...(batched ? { observeMany: (specs) => (calls.observeMany++, tenantDatabase.observeMany(specs)) } : {}),
    };
    const zones: DnsDriver = {
      observeZone: (zone) => (calls.observeZone++, dns.observeZone(zone)),
      ensureZone: (zone) => dns.ensureZone(zone),
      upsertRecordSet: (zone, set) => dns.upsertRecordSet(zone, set),
      deleteRecordSet: (zone, name, type) => dns.deleteRecordSet(zone, name, type),
      deleteZone: (zone) => dns.deleteZone(zone),
      ...(batched ? { observeZones: (names) => (calls.observeZones++, dns.observeZones(names)) } : {}),
    };
    return { detector: new DriftDetector({ cluster, tenantDatabase: db, dns: zones }, steps), calls };
  }

  async function messagesOf(batched: boolean, page: Made[]) {
    const { detector: d, calls } = detector(batched);
    const observed = await d.detectPage(page.map(candidate), d.beginSweep(), 4);
    const messages = observed.map((o) => ('differences' in o ? o.differences.map((x) => x.message).sort() : [`error: ${String(o.error)}`]));
    return { messages, calls };
  }

  const dbOf = (t: Made) => t.outputs[StepName.SETUP_DATABASE] as { role: string; database: string; schemas: string[] };
  const zoneOf = (t: Made) => String(t.outputs[StepName.CREATE_DNS_ZONE]?.zone);
  const q = (name: string) => `"${name}"`;

  it('finds nothing in a page of healthy tenants, with one read of their databases and one of their zones', async () => {
    const { messages, calls } = await messagesOf(true, tenants);
    expect(messages).toEqual(tenants.map(() => []));
    expect(calls).toEqual({ observeMany: 1, observeZones: 1, observe: 0, observeZone: 1 });
  });

  it('sends the same number of queries for a page of three tenants as for a page of ten', async () => {
    const professional = tenants.filter((t) => t.facts.tier === 'PROFESSIONAL');
    const spy = vi.spyOn(pg.Client.prototype, 'query');
    const count = async (page: Made[]) => {
      spy.mockClear();
      const { messages } = await messagesOf(true, page);
      expect(messages.flat()).toEqual([]);
      return spy.mock.calls.length;
    };
    const three = await count(professional.slice(0, 3));
    const ten = await count(professional);
    spy.mockRestore();
    expect(ten).toBe(three);
    // The page's inventory, its databases, its zones and the parent zone: a handful, not one per tenant.
    expect(ten).toBeLessThan(10);
    // Tenant by tenant, the same page costs queries per tenant.
    const perTenant = vi.spyOn(pg.Client.prototype, 'query');
    await messagesOf(false, professional);
    expect(perTenant.mock.calls.length).toBeGreaterThan(2 * professional.length);
    perTenant.mockRestore();
  });

  it('finds each drift in the tenant that has it, as reading tenant by tenant does, and nothing in the others', async () => {
    const [roleGone, schemaGone, recordChanged, zoneGone, migrationBehind] = tenants;
    const [enterpriseGone, enterpriseSchemaGone] = tenants.filter((t) => t.facts.tier === 'ENTERPRISE');
    const ai = (t: Made) => dbOf(t).schemas.find((s) => s.endsWith('_ai'))!;
    const governance = (t: Made) => dbOf(t).schemas.find((s) => s.endsWith('_governance'))!;

    await admin.query(`drop owned by ${q(dbOf(roleGone!).role)}; drop role ${q(dbOf(roleGone!).role)}`);
    await admin.query(`drop schema ${q(ai(schemaGone!))} cascade`);
    await dns.upsertRecordSet(zoneOf(recordChanged!), { name: 'api', type: 'A', ttl: 120, values: ['10.0.0.9'] });
    await dns.deleteZone(zoneOf(zoneGone!));
    await admin.query(`delete from ${q(governance(migrationBehind!))}.schema_version where version = (select max(version) from ${q(governance(migrationBehind!))}.schema_version)`);
    await admin.query(`drop database ${q(dbOf(enterpriseGone!).database)} with (force)`);
    const inside = new URL(database.url);
    inside.pathname = `/${dbOf(enterpriseSchemaGone!).database}`;
    const enterpriseAdmin = new pg.Client({ connectionString: inside.toString() });
    await enterpriseAdmin.connect();
    await enterpriseAdmin.query(`drop schema ${q(ai(enterpriseSchemaGone!))} cascade`);
    await enterpriseAdmin.end();

    const batched = await messagesOf(true, tenants);
    const oneByOne = await messagesOf(false, tenants);
    expect(batched.calls).toMatchObject({ observeMany: 1, observeZones: 1, observe: 0 });
    expect(oneByOne.calls).toMatchObject({ observeMany: 0, observeZones: 0, observe: tenants.length });
    expect(batched.messages).toEqual(oneByOne.messages);

    const by = new Map(tenants.map((t, i) => [t, batched.messages[i]]));
    const version = migrationBehind!.outputs[StepName.SETUP_DATABASE]?.migrationVersion as number;
    expect(by.get(roleGone!)).toEqual([`role ${dbOf(roleGone!).role} missing`]);
    expect(by.get(schemaGone!)).toEqual([`schema ${ai(schemaGone!)} missing`]);
    expect(by.get(recordChanged!)).toEqual([`A api.${zoneOf(recordChanged!)} is 10.0.0.9, want ${LB_IP}`]);
    expect(by.get(zoneGone!)).toEqual([`DNS zone ${zoneOf(zoneGone!)} missing`]);
    expect(by.get(migrationBehind!)).toEqual([`tenant migrations at version ${version - 1}, want ${version}`]);
    expect(by.get(enterpriseGone!)).toContain(`database ${dbOf(enterpriseGone!).database} missing`);
    expect(by.get(enterpriseSchemaGone!)).toEqual([`schema ${ai(enterpriseSchemaGone!)} missing`]);
    const drifted = new Set([roleGone, schemaGone, recordChanged, zoneGone, migrationBehind, enterpriseGone, enterpriseSchemaGone]);
    const healthy = tenants.filter((t) => !drifted.has(t));
    expect(healthy.length).toBeGreaterThanOrEqual(5);
    for (const t of healthy) expect(by.get(t)).toEqual([]);
  });

  it('answers a tenant whose names the driver refuses with its error, and the rest of the page as usual', async () => {
    const [good] = tenants.slice(-3);
    const spec = { tenantId: good!.facts.id, isolation: 'SCHEMA_PER_TENANT' as const, schemas: dbOf(good!).schemas, role: dbOf(good!).role };
    const [bad, fine] = await tenantDatabase.observeMany([{ ...spec, role: 'Robert"; drop table x' }, spec]);
    expect(bad).toBeInstanceOf(Error);
    expect(fine).toEqual(await tenantDatabase.observe(spec));
    const [badZone, goodZone] = await dns.observeZones(['not a zone!', zoneOf(good!)]);
    expect(badZone).toBeInstanceOf(Error);
    expect(goodZone).toEqual(await dns.observeZone(zoneOf(good!)));
  });
});
