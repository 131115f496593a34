import { describe, expect, it } from 'vitest';
import type { Tier } from '../../src/domain/tiers.js';
import { TIER_PROFILES } from '../../src/domain/tiers.js';
import { namespaceFor } from '../../src/domain/tenant.js';
import type { KubeObject } from '../../src/drivers/contract.js';
import {
  ManifestValidationError,
  applyQuotasManifests,
  assertValidManifests,
  configureNetworkingManifests,
  createNamespaceManifests,
  databaseUrl,
  deploySecretsManifests,
  validateManifest,
} from '../../src/steps/manifests/index.js';
import { CORE_SERVICES, DATA_SERVICES, dataServicesFor } from '../../src/steps/support/services.js';
import { MANIFEST_STEPS, type TenantManifestOptions, tenantManifests } from '../support/tenant-manifests.js';
import { DEFAULT_NETWORK_ISOLATION } from '../support/network-isolation.js';
import type { TenantFacts } from '../../src/steps/step.js';

const TENANT_ID = '550e8400-e29b-41d4-a716-446655440000';

function tenant(tier: Tier, slug = 'acme'): TenantFacts {
  return { id: TENANT_ID, slug, tier, region: 'eastus', cloudProvider: 'AZURE', adminEmail: 'admin@acme.example', namespace: namespaceFor(slug) };
}

const OPTIONS: TenantManifestOptions = {
  provisionedAt: '2026-02-12T10:00:00Z',
  provisionedBy: 'admin@matih.ai',
  secrets: {
    redisPassword: 'redis-pw-7f3a2c',
    kafka: { username: 'kafka-user-44d1', password: 'kafka-pw-91c2e0' },
    jwtSigningKey: 'jwt-signing-key-0b8f6a9e',
    llmApiKey: 'sk-test-llm-5e7d31',
    grafanaAdminPassword: 'grafana-pw-6c1d02',
  },
  // A password with URI-reserved characters, to see that DATABASE_URL encodes it.
  databaseCredentials: { host: 'postgres.matih.internal', port: 5432, database: 'matih_tenants', user: 'acme_app', password: 'db-pw/with:odd@chars' },
  // A fixed file, not the one shipped in deploy/values: the snapshot pins what the builders make of it.
  environment: { name: 'production', values: 'environment: production\nlogLevel: info\n' },
};

const all = (t: TenantFacts, o = OPTIONS): KubeObject[] => Object.values(tenantManifests(t, o)).flat();
const byKind = (objs: KubeObject[]) => objs.reduce<Record<string, number>>((n, o) => ({ ...n, [o.kind]: (n[o.kind] ?? 0) + 1 }), {});
const named = (objs: KubeObject[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);
const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

describe('tenant manifests', () => {
  it.each(['FREE', 'PROFESSIONAL', 'ENTERPRISE'] as const)('all validate for a %s tenant', (tier) => {
    const objs = all(tenant(tier));
    expect(objs.length).toBeGreaterThan(10);
    for (const o of objs) expect(validateManifest(o)).toEqual([]);
  });

  it('pin the content of every Professional manifest', () => {
    expect(tenantManifests(tenant('PROFESSIONAL'), OPTIONS)).toMatchSnapshot();
  });

  it('count what spec/002 and spec/004 list, by kind', () => {
    // Secrets: the database's, spec/002's five, and Grafana's admin login (for DEPLOY_MONITORING).
    // ConfigMap: spec/002's values-{environment}.yaml, which every release reads.
    // NetworkPolicy: spec/004's three ingress ones, the world to the ingress controller, seven egress
    // ones, and from Professional up the connectors' internet one (network-policies.test.ts).
    const base = { Namespace: 1, ServiceAccount: 1, Role: 1, RoleBinding: 1, Secret: 7, NetworkPolicy: 11, ConfigMap: 1 };
    expect(byKind(all(tenant('PROFESSIONAL')))).toEqual({ ...base, NetworkPolicy: 12, ResourceQuota: 1, LimitRange: 1, HelmRelease: 14 });
    expect(byKind(all(tenant('FREE')))).toEqual({ ...base, ResourceQuota: 1, LimitRange: 1, HelmRelease: 3 + dataServicesFor('FREE').length });
    expect(dataServicesFor('FREE').length).toBeLessThan(DATA_SERVICES.length);
    expect(byKind(all(tenant('ENTERPRISE')))).toEqual({ ...base, NetworkPolicy: 12, HelmRelease: 14 });
    expect(applyQuotasManifests(tenant('ENTERPRISE'))).toEqual([]);
  });

  it('label every object with its tenant and owning step', () => {
    const manifests = tenantManifests(tenant('PROFESSIONAL'), OPTIONS);
    for (const step of MANIFEST_STEPS) {
      for (const o of manifests[step]) {
        expect(o.metadata.labels).toMatchObject({
          'matih.ai/tenant-id': TENANT_ID,
          'matih.ai/tenant-slug': 'acme',
          'matih.ai/managed-by': 'tenant-service',
          'matih.ai/step': step,
        });
        if (o.kind !== 'Namespace') expect(o.metadata.namespace).toBe('matih-acme');
      }
    }
    expect(named(manifests.SETUP_DATABASE, 'Secret', 'tenant-database-credentials')).toBeDefined();
    expect(manifests.DEPLOY_SECRETS.map((o) => o.metadata.name)).toEqual([
      'tenant-db-credentials', 'tenant-redis-credentials', 'tenant-kafka-credentials', 'tenant-jwt-secret', 'tenant-llm-api-key', 'tenant-grafana-admin',
    ]);
  });

  it('give the namespace exactly the labels and annotations of spec/004 phase 1, plus its step', () => {
    const [ns] = createNamespaceManifests(tenant('PROFESSIONAL'), OPTIONS);
    expect(ns?.metadata).toEqual({
      name: 'matih-acme',
      labels: {
        'matih.ai/tenant-id': TENANT_ID,
        'matih.ai/tenant-slug': 'acme',
        'matih.ai/tier': 'professional',
        'matih.ai/region': 'eastus',
        'matih.ai/managed-by': 'tenant-service',
        'matih.ai/step': 'CREATE_NAMESPACE',
      },
      annotations: { 'matih.ai/provisioned-at': '2026-02-12T10:00:00Z', 'matih.ai/provisioned-by': 'admin@matih.ai' },
    });
  });

  it('take the quota from the tier table', () => {
    const quota = named(applyQuotasManifests(tenant('FREE')), 'ResourceQuota', 'tenant-quota');
    expect(quota?.spec).toEqual({
      hard: { 'requests.cpu': '2', 'limits.cpu': '4', 'requests.memory': '4Gi', 'limits.memory': '8Gi', pods: '20', services: '10', persistentvolumeclaims: '5' },
    });
  });

  it("write spec/004 phase 4's three network policies exactly (the egress ones: network-policies.test.ts)", () => {
    const spec = ['default-deny-ingress', 'allow-same-namespace', 'allow-ingress-controller'];
    const policies = configureNetworkingManifests(tenant('PROFESSIONAL'), DEFAULT_NETWORK_ISOLATION).filter((o) => spec.includes(o.metadata.name));
    const specs = Object.fromEntries(policies.map((o) => [o.metadata.name, o.spec]));
    expect(specs).toEqual({
      'default-deny-ingress': { podSelector: {}, policyTypes: ['Ingress'] },
      'allow-same-namespace': { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] },
      'allow-ingress-controller': {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'matih.ai/tenant-slug': 'acme' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }] }],
      },
    });
  });
});

describe('helm releases', () => {
  const releases = (tier: Tier) => all(tenant(tier)).filter((o) => o.kind === 'HelmRelease');
  const dependsOn = (o: KubeObject) => ((o.spec as { dependsOn?: { name: string }[] }).dependsOn ?? []).map((d) => d.name);

  it('deploy the core services, then the data services in spec/004 dependency order', () => {
    expect(releases('PROFESSIONAL').map((o) => o.metadata.name)).toEqual([...CORE_SERVICES, ...DATA_SERVICES]);
    expect(releases('FREE').map((o) => o.metadata.name)).toEqual([...CORE_SERVICES, ...dataServicesFor('FREE')]);
  });

  it('express spec/004 dependencies as dependsOn', () => {
    const deps = Object.fromEntries(releases('PROFESSIONAL').map((o) => [o.metadata.name, dependsOn(o)]));
    expect(deps).toMatchObject({
      'pipeline-service': [],
      'semantic-layer': ['catalog-service'],
      'bi-service': ['semantic-layer', 'query-engine'],
      'data-quality-service': ['catalog-service'],
      'ml-service': ['query-engine'],
      'render-service': ['bi-service'],
      'query-engine': [],
    });
  });

  it.each(['FREE', 'PROFESSIONAL', 'ENTERPRISE'] as const)('depend only on releases the %s tenant has, declared earlier', (tier) => {
    const names = releases(tier).map((o) => o.metadata.name);
    releases(tier).forEach((o, i) => {
      for (const d of dependsOn(o)) expect(names.indexOf(d), `${o.metadata.name} -> ${d}`).toBeGreaterThanOrEqual(0);
      for (const d of dependsOn(o)) expect(names.indexOf(d)).toBeLessThan(i);
    });
  });

  it('carry spec/004 example values and chart from the matih HelmRepository', () => {
    const ai = named(releases('PROFESSIONAL'), 'HelmRelease', 'ai-service');
    expect(ai?.apiVersion).toBe('helm.toolkit.fluxcd.io/v2');
    expect(ai?.spec).toMatchObject({
      chart: { spec: { chart: 'ai-service', sourceRef: { kind: 'HelmRepository', name: 'matih' } } },
      values: {
        replicaCount: 1,
        image: { repository: 'matih.azurecr.io/ai-service', tag: 'latest' },
        env: [
          { name: 'TENANT_ID', value: TENANT_ID },
          { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'tenant-database-credentials', key: 'DATABASE_URL' } } },
        ],
        resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1000m', memory: '1Gi' } },
      },
    });
  });

  it.each(['FREE', 'PROFESSIONAL'] as const)('fit a %s tenant inside its own quota', (tier) => {
    // A quota the services exceed makes the API server refuse pods: the tenant would never be ready.
    const cpu = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q));
    const gi = (q: string) => (q.endsWith('Mi') ? Number(q.slice(0, -2)) / 1024 : Number(q.slice(0, -2)));
    const rs = releases(tier).map((o) => (o.spec as { values: { resources: Record<'requests' | 'limits', { cpu: string; memory: string }> } }).values.resources);
    const q = TIER_PROFILES[tier].quota;
    const sum = (f: (r: (typeof rs)[number]) => number) => rs.reduce((n, r) => n + f(r), 0);
    expect(sum((r) => cpu(r.requests.cpu))).toBeLessThanOrEqual(cpu(q.cpuRequests ?? '0'));
    expect(sum((r) => cpu(r.limits.cpu))).toBeLessThanOrEqual(cpu(q.cpuLimits ?? '0'));
    expect(sum((r) => gi(r.requests.memory))).toBeLessThanOrEqual(gi(q.memoryRequests ?? '0Gi'));
    expect(sum((r) => gi(r.limits.memory))).toBeLessThanOrEqual(gi(q.memoryLimits ?? '0Gi'));
    expect(rs.length).toBeLessThanOrEqual(q.pods ?? 0);
  });
});

describe('secrets', () => {
  const db = OPTIONS.databaseCredentials;

  it('hold base64 of exactly the given values', () => {
    const objs = all(tenant('PROFESSIONAL'));
    const data = (name: string) => Object.fromEntries(Object.entries(named(objs, 'Secret', name)?.data as Record<string, string>).map(([k, v]) => [k, decode(v)]));
    expect(data('tenant-database-credentials')).toEqual({
      POSTGRES_HOST: db.host,
      POSTGRES_PORT: '5432',
      POSTGRES_DB: db.database,
      POSTGRES_USER: db.user,
      POSTGRES_PASSWORD: db.password,
      DATABASE_URL: 'postgresql://acme_app:db-pw%2Fwith%3Aodd%40chars@postgres.matih.internal:5432/matih_tenants',
    });
    expect(data('tenant-db-credentials')).toEqual({ POSTGRES_USER: db.user, POSTGRES_PASSWORD: db.password });
    expect(data('tenant-redis-credentials')).toEqual({ REDIS_PASSWORD: OPTIONS.secrets.redisPassword });
    expect(data('tenant-kafka-credentials')).toEqual({ KAFKA_SASL_USERNAME: 'kafka-user-44d1', KAFKA_SASL_PASSWORD: 'kafka-pw-91c2e0' });
    expect(data('tenant-jwt-secret')).toEqual({ JWT_SIGNING_KEY: OPTIONS.secrets.jwtSigningKey });
    expect(data('tenant-llm-api-key')).toEqual({ LLM_API_KEY: OPTIONS.secrets.llmApiKey });
    for (const s of objs.filter((o) => o.kind === 'Secret')) {
      expect(s.type).toBe('Opaque');
      expect(s.stringData).toBeUndefined();
    }
  });

  it('show no secret value, plain or encoded, outside `data`', () => {
    const values = [db.user, db.password, databaseUrl(db), OPTIONS.secrets.redisPassword, OPTIONS.secrets.kafka.username, OPTIONS.secrets.kafka.password, OPTIONS.secrets.jwtSigningKey, OPTIONS.secrets.llmApiKey];
    const needles = values.flatMap((v) => [v, Buffer.from(v).toString('base64')]);
    const objs = all(tenant('PROFESSIONAL'));
    const outside = JSON.stringify(objs.map(({ data: _data, ...rest }) => rest));
    for (const n of needles) expect(outside).not.toContain(n);
    // and they are there, inside data, so the check above is not vacuous
    expect(JSON.stringify(objs.map((o) => o.data ?? null))).toContain(Buffer.from(OPTIONS.secrets.llmApiKey).toString('base64'));
  });

  it('use the database login in both database secrets, from one input', () => {
    const other = { ...db, password: 'rotated-pw' };
    const secret = deploySecretsManifests(tenant('FREE'), OPTIONS.secrets, other)[0];
    expect(decode((secret?.data as Record<string, string>).POSTGRES_PASSWORD ?? '')).toBe('rotated-pw');
  });
});

describe('names from slugs', () => {
  it.each(['acme-corp-eu', 'a1-b2-c3', 'x'.repeat(40)])('are valid everywhere for slug %s', (slug) => {
    const objs = all(tenant('PROFESSIONAL', slug));
    for (const o of objs) expect(validateManifest(o)).toEqual([]);
    expect(objs.find((o) => o.kind === 'Namespace')?.metadata.name).toBe(`matih-${slug}`);
    expect(objs.filter((o) => o.kind !== 'Namespace').every((o) => o.metadata.namespace === `matih-${slug}`)).toBe(true);
  });

  it('fail the build, permanently, when a slug cannot make a namespace', () => {
    // 60 characters: matih-{slug} is 66, past the 63 of a DNS-1123 label.
    const build = () => createNamespaceManifests(tenant('FREE', 'a'.repeat(60)), OPTIONS);
    expect(build).toThrow(ManifestValidationError);
    expect(build).toThrow(/longer than 63/);
    try {
      build();
    } catch (error) {
      expect((error as ManifestValidationError).retryable).toBe(false);
    }
  });
});

describe('validateManifest rejects', () => {
  const good = () => all(tenant('PROFESSIONAL'));
  const pick = (kind: string) => structuredClone(good().find((o) => o.kind === kind) as KubeObject);
  const problems = (o: KubeObject) => validateManifest(o).join('\n');

  it.each([['Bad-Name'], ['bad_name'], ['-leading'], ['trailing.'], ['']])('the object name %j', (name) => {
    const o = pick('Secret');
    o.metadata.name = name;
    expect(problems(o)).toMatch(/metadata\.name/);
  });

  it('a namespace name that is a subdomain but not a label, or too long', () => {
    const ns = pick('Namespace');
    ns.metadata.name = 'matih.acme';
    expect(problems(ns)).toMatch(/not a DNS-1123 label/);
    ns.metadata.name = `matih-${'a'.repeat(58)}`;
    expect(problems(ns)).toMatch(/longer than 63/);
  });

  it('label values past 63 characters or with bad characters, and bad label keys', () => {
    const o = pick('Role');
    o.metadata.labels = { ...o.metadata.labels, 'matih.ai/tenant-slug': 'a'.repeat(64) };
    expect(problems(o)).toMatch(/longer than 63/);
    o.metadata.labels = { 'matih.ai/tenant-slug': 'has space' };
    expect(problems(o)).toMatch(/metadata\.labels/);
    o.metadata.labels = { 'Bad_Prefix.io/x': 'ok', 'a/b/c': 'ok', [`matih.ai/${'k'.repeat(64)}`]: 'ok' };
    expect(validateManifest(o)).toHaveLength(3);
  });

  it('bad keys in selectors too', () => {
    const o = pick('NetworkPolicy');
    o.spec = { podSelector: { matchLabels: { app: 'x'.repeat(64) } } };
    expect(problems(o)).toMatch(/spec\.podSelector\.matchLabels/);
  });

  it('a namespaced object without a namespace, and a cluster-scoped one with one', () => {
    const o = pick('ServiceAccount');
    delete o.metadata.namespace;
    expect(problems(o)).toMatch(/namespaced and needs one/);
    const ns = pick('Namespace');
    ns.metadata.namespace = 'default';
    expect(problems(ns)).toMatch(/cluster-scoped/);
  });

  it.each([
    ['requests.cpu', 'lots'],
    ['requests.cpu', '2 cores'],
    ['requests.cpu', '-1'],
    ['requests.memory', '1h'], // an SI prefix kubernetes-models takes and the API server does not
    ['pods', '2.5'], // objects are counted in whole numbers
  ])('the quota quantity %s: %j', (resource, value) => {
    const quota = pick('ResourceQuota');
    quota.spec = { hard: { [resource]: value } };
    expect(problems(quota)).toMatch(/spec\.hard/);
  });

  it('what the kind\'s OpenAPI schema forbids (kubernetes-models)', () => {
    const binding = pick('RoleBinding');
    delete binding.roleRef;
    expect(problems(binding)).toMatch(/roleRef/);
    const policy = pick('NetworkPolicy');
    policy.spec = { podSelector: {}, policyTypes: 'Ingress' };
    expect(problems(policy)).toMatch(/policyTypes/);
  });

  it('a LimitRange default that is no quantity', () => {
    const lr = pick('LimitRange');
    lr.spec = { limits: [{ type: 'Container', default: { cpu: 'one' } }] };
    expect(problems(lr)).toMatch(/spec\.limits\[0\]\.default\.cpu/);
  });

  it('secret data that is not base64, and bad secret keys', () => {
    const s = pick('Secret');
    s.data = { 'GOOD_KEY': 'not base64!', 'bad key': 'YQ==' };
    const p = problems(s);
    expect(p).toMatch(/byte/);
    expect(p).toMatch(/key "bad key"/);
  });

  it('HelmReleases that Flux v2 would not take', () => {
    const r = pick('HelmRelease');
    const spec = r.spec as Record<string, unknown>;
    expect(problems({ ...r, apiVersion: 'helm.toolkit.fluxcd.io/v2beta1' })).toMatch(/must be helm\.toolkit\.fluxcd\.io\/v2/);
    expect(problems({ ...r, spec: { ...spec, interval: undefined } })).toMatch(/interval/);
    expect(problems({ ...r, spec: { ...spec, interval: 'ten minutes' } })).toMatch(/interval/);
    expect(problems({ ...r, spec: { ...spec, dependson: [] } })).toMatch(/dependson|additional/i);
    expect(problems({ ...r, metadata: { ...r.metadata, name: 'r'.repeat(54) } })).toMatch(/longer than 53/);
    expect(problems({ ...r, spec: { ...spec, values: { ...(spec.values as object), replicaCount: 'one' } } })).toMatch(/replicaCount/);
    const badCpu = structuredClone(r);
    (badCpu.spec as { values: { resources: { limits: { cpu: string } } } }).values.resources.limits.cpu = 'a lot';
    expect(problems(badCpu)).toMatch(/resources\.limits\.cpu/);
  });

  it('with assertValidManifests throwing a permanent error that names every problem', () => {
    const a = pick('Secret');
    a.metadata.name = 'Bad_Name';
    const b = pick('ServiceAccount');
    delete b.metadata.namespace;
    try {
      assertValidManifests([...good(), a, b]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ManifestValidationError);
      expect((error as ManifestValidationError).retryable).toBe(false);
      expect((error as ManifestValidationError).problems.join('\n')).toMatch(/Bad_Name[\s\S]*needs one/);
    }
  });
});
