import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_PROVIDERS } from '../../src/domain/cloud.js';
import { applyFeatureOverridesPatch } from '../../src/domain/features.js';
import { StepName } from '../../src/domain/plans.js';
import { applySettingsPatch } from '../../src/domain/settings.js';
import type { TenantConfig } from '../../src/domain/tenant-config.js';
import { namespaceFor } from '../../src/domain/tenant.js';
import { validateNewTenant } from '../../src/domain/tenant-validation.js';
import type { Tier } from '../../src/domain/tiers.js';
import { DriverError, type KubeObject, type ObjectRef } from '../../src/drivers/contract.js';
import { PostgresTenantDatabase } from '../../src/drivers/database/postgres-tenant-database.js';
import { EmbeddedDnsDriver } from '../../src/drivers/dns/embedded-dns-driver.js';
import { AesGcmSecretBox } from '../../src/drivers/secrets/aes-gcm-secret-box.js';
import { SimulatedCluster } from '../../src/drivers/simulated/simulated-cluster.js';
import { LocalCertificateAuthority } from '../../src/drivers/tls/local-ca.js';
import { generateApiKey } from '../../src/iam/api-key-format.js';
import { dnsZoneStore } from '../../src/store/dns/dns-zones.js';
import { simObjectStore } from '../../src/store/sim/sim-objects.js';
import { createTenant } from '../../src/store/tenants/create-tenant.js';
import { updateFeatureOverrides } from '../../src/store/tenants/feature-overrides.js';
import { tenantConfigSource } from '../../src/store/tenants/tenant-config-source.js';
import { updateTenantSettings } from '../../src/store/tenants/tenant-settings.js';
import { configure } from '../../src/steps/handlers/configure.js';
import { createNamespace } from '../../src/steps/handlers/create-namespace.js';
import { CONFIG_HASH_ANNOTATION, TENANT_CONFIG, TENANT_CONFIG_FILE } from '../../src/steps/manifests/tenant-config.js';
import { LABEL } from '../../src/steps/manifests/index.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions, TenantFacts } from '../../src/steps/step.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import { PROVISION_OPERATION } from '../support/step-ports.js';
import { TEST_ENVIRONMENT } from '../support/deploy-environment.js';
import { DEFAULT_NETWORK_ISOLATION } from '../support/network-isolation.js';
import { tenantBody } from '../support/test-app.js';

/**
 * CONFIGURE on the simulated cluster, over the test's database through the store's
 * TenantConfigSource (as the composition root wires it): what the data plane receives in the
 * `tenant-config` ConfigMap, that a changed override or setting reaches it on the next run while
 * a run without change applies nothing, and that rollback removes it.
 */

const OPTIONS: StepOptions = {
  baseDomain: 'tenants.test.matih.ai',
  environment: TEST_ENVIRONMENT,
  readyTimeoutMs: 5_000,
  verifyTimeoutMs: 1_000,
  verifyIntervalMs: 50,
  tenantDbPrefix: '',
  loadBalancerWaitMs: 5_000,
  dnsTtl: 300,
  createParentZone: true,
  networkIsolation: DEFAULT_NETWORK_ISOLATION,
};
const PROVENANCE = { provisionedAt: '2025-01-15T10:00:00.000Z', provisionedBy: 'test' };
const SECRET_WEBHOOK = 'https://hooks.example.com/services/T000/B000/very-secret-token';

interface Outputs {
  objects: string[];
  applied: string[];
  pruned: string[];
  configMap: string;
  configHash: string;
  features: Record<string, boolean>;
}

describe('CONFIGURE step', () => {
  let database: TestDatabase;
  let tenantDatabase: PostgresTenantDatabase | undefined;
  let cluster: SimulatedCluster;
  let drivers: StepDrivers;
  let step: StepHandler;

  beforeAll(async () => {
    database = await openTestDatabase();
    const db = database.db;
    cluster = new SimulatedCluster(simObjectStore(db), { delayMs: 0, pollMs: 20 });
    // CONFIGURE uses the cluster only; the rest is wired as build-engine.ts wires it, so the handler is the real one.
    const secretBox = new AesGcmSecretBox(AesGcmSecretBox.generateKey());
    tenantDatabase = new PostgresTenantDatabase({ adminUrl: database.url, poolSize: 2 });
    drivers = {
      cluster,
      tenantDatabase,
      secretBox,
      dns: new EmbeddedDnsDriver(dnsZoneStore(db), { nameServers: ['ns1.tenants.test.matih.ai'], soaEmail: 'hostmaster@matih.ai', defaultTtl: 300 }),
      tls: { mode: 'local-ca', issuer: new LocalCertificateAuthority(async (generate) => generate(), secretBox) },
    };
    step = configure(drivers, OPTIONS, tenantConfigSource(db));
  });
  afterAll(async () => {
    await tenantDatabase?.close();
    await database?.close();
  });

  /** A tenant created as the control-plane tier creates it (default settings), its namespace made. */
  async function newTenant(tier: Tier) {
    const key = generateApiKey();
    const request = validateNewTenant(tenantBody({ tier }) as never, { enabledCloudProviders: CLOUD_PROVIDERS });
    const { tenant } = await createTenant(database.db, { tenant: request, actor: 'test', apiKey: { id: key.id, secretHash: key.secretHash } });
    const facts: TenantFacts = { ...tenant, namespace: namespaceFor(tenant.slug) };
    const context = (): StepContext => ({ tenant: facts, jobId: randomUUID(), operation: PROVISION_OPERATION, outputs: {}, signal: new AbortController().signal, provenance: PROVENANCE });
    await createNamespace(drivers, OPTIONS).run(context());
    const ref: ObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', namespace: facts.namespace, name: TENANT_CONFIG };
    return {
      facts,
      ref,
      run: async () => (await step.run(context())).outputs as unknown as Outputs,
      rollback: () => step.rollback(context()),
      configMap: () => cluster.get(ref),
      async config(): Promise<TenantConfig> {
        const object = await cluster.get(ref);
        const text = (object?.data as Record<string, string> | undefined)?.[TENANT_CONFIG_FILE];
        expect(text, 'the ConfigMap holds the configuration file').toBeTypeOf('string');
        return JSON.parse(text as string) as TenantConfig;
      },
      override: (patch: Record<string, boolean | null>) =>
        updateFeatureOverrides(database.db, { tenantId: tenant.id, actor: 'test', change: (current, t) => applyFeatureOverridesPatch(current, patch, t) }),
      settings: (patch: Parameters<typeof applySettingsPatch>[1]) =>
        updateTenantSettings(database.db, { tenantId: tenant.id, actor: 'test', change: (current) => applySettingsPatch(current, patch, tier) }),
    };
  }

  it('delivers the resolved settings and flags as the tenant-config ConfigMap, with the hash as its version, and no secrets', async () => {
    const t = await newTenant('PROFESSIONAL');
    await t.settings({ timezone: 'Europe/Berlin', queryTimeoutSeconds: 300, branding: { displayName: 'Acme', primaryColor: '#112233' }, notifications: { webhookUrl: SECRET_WEBHOOK } });
    await t.override({ 'ai.chat': false });

    const outputs = await t.run();
    const object = (await t.configMap()) as KubeObject;
    const config = await t.config();
    expect(config.tenant).toEqual({ id: t.facts.id, slug: t.facts.slug, tier: 'PROFESSIONAL' });
    expect(config.settings).toMatchObject({ timezone: 'Europe/Berlin', queryTimeoutSeconds: 300, branding: { displayName: 'Acme', primaryColor: '#112233', logoUrl: null } });
    expect(config.limits).toEqual({ maxQueryTimeoutSeconds: 600 });
    expect(config.features).toEqual({
      'analytics.basic': true, 'ai.assist': true, 'analytics.full': true, 'ai.chat': false, 'ml.workbench': true, 'ai.customModels': false, 'support.sla': false,
    });

    // The hash names this exact file: on the object for readers, in the outputs for the history.
    const text = (object.data as Record<string, string>)[TENANT_CONFIG_FILE] as string;
    const hash = createHash('sha256').update(text).digest('hex');
    expect(object.metadata.annotations?.[CONFIG_HASH_ANNOTATION]).toBe(hash);
    expect(outputs).toMatchObject({ configMap: TENANT_CONFIG, configHash: hash, features: config.features, objects: ['ConfigMap/tenant-config'], applied: ['ConfigMap/tenant-config'] });
    expect(object.metadata.labels).toMatchObject({ [LABEL.tenantId]: t.facts.id, [LABEL.step]: StepName.CONFIGURE });

    // The notification webhook (a credential in its URL) reaches neither the cluster nor the outputs.
    expect(JSON.stringify(object)).not.toContain('very-secret-token');
    expect(JSON.stringify(outputs)).not.toContain('very-secret-token');
  });

  it('gives each tier its own flags: a Free tenant gets basic analytics and limited AI only', async () => {
    const t = await newTenant('FREE');
    const outputs = await t.run();
    expect(Object.entries(outputs.features).filter(([, on]) => on).map(([name]) => name)).toEqual(['analytics.basic', 'ai.assist']);
    expect((await t.config()).limits).toEqual({ maxQueryTimeoutSeconds: 60 });
  });

  it('applies nothing on a re-run without change, and the new configuration after an override or a setting changed', async () => {
    const t = await newTenant('ENTERPRISE');
    const first = await t.run();
    const again = await t.run();
    expect(again.applied).toEqual([]);
    expect(again.configHash).toBe(first.configHash);
    const resourceVersion = (await t.configMap())?.metadata.resourceVersion;

    await t.override({ 'ml.workbench': false });
    const afterOverride = await t.run();
    expect(afterOverride.applied).toEqual(['ConfigMap/tenant-config']);
    expect(afterOverride.configHash).not.toBe(first.configHash);
    expect(afterOverride.features['ml.workbench']).toBe(false);
    expect((await t.config()).features['ml.workbench']).toBe(false);
    expect((await t.configMap())?.metadata.resourceVersion).not.toBe(resourceVersion);

    await t.settings({ aiModelPreference: 'claude' });
    const afterSettings = await t.run();
    expect(afterSettings.applied).toEqual(['ConfigMap/tenant-config']);
    expect((await t.config()).ai.model).toBe('claude');

    // Removing the override gives the tier default back.
    await t.override({ 'ml.workbench': null });
    expect((await t.run()).features['ml.workbench']).toBe(true);
    expect((await t.run()).applied).toEqual([]);
  });

  it('repairs a ConfigMap edited behind its back', async () => {
    const t = await newTenant('PROFESSIONAL');
    const { configHash } = await t.run();
    const object = structuredClone((await t.configMap()) as KubeObject);
    object.data = { [TENANT_CONFIG_FILE]: '{"features":{"support.sla":true}}\n' };
    await cluster.apply(object);
    const repaired = await t.run();
    expect(repaired.applied).toEqual(['ConfigMap/tenant-config']);
    expect(repaired.configHash).toBe(configHash);
    expect((await t.config()).features['support.sla']).toBe(false);
  });

  it('keeps tenants apart when one handler configures several at once', async () => {
    const [a, b] = await Promise.all([newTenant('FREE'), newTenant('ENTERPRISE')]);
    if (!a || !b) throw new Error('tenants were not created');
    const [outA, outB] = await Promise.all([a.run(), b.run()]);
    expect(outA.features['support.sla']).toBe(false);
    expect(outB.features['support.sla']).toBe(true);
    expect((await a.config()).tenant.id).toBe(a.facts.id);
    expect((await b.config()).tenant.id).toBe(b.facts.id);
  });

  it('removes the ConfigMap on rollback, leaves the namespace, and may roll back twice', async () => {
    const t = await newTenant('PROFESSIONAL');
    await t.run();
    expect(await t.configMap()).toBeDefined();
    await t.rollback();
    expect(await t.configMap()).toBeUndefined();
    expect(await cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: t.facts.namespace })).toBeDefined();
    await t.rollback();
    expect(await t.configMap()).toBeUndefined();
  });

  it('fails permanently (no retry can help) for a tenant whose record is gone', async () => {
    const facts: TenantFacts = { id: randomUUID(), slug: 'gone', tier: 'FREE', region: 'eastus', cloudProvider: 'AZURE', adminEmail: 'a@gone.example.com', namespace: 'matih-gone' };
    const error = await step.run({ tenant: facts, jobId: randomUUID(), operation: PROVISION_OPERATION, outputs: {}, signal: new AbortController().signal, provenance: PROVENANCE }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).retryable).toBe(false);
    expect(await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'matih-gone', name: TENANT_CONFIG })).toBeUndefined();
  });
});
