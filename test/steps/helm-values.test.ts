import { describe, expect, it } from 'vitest';
import { namespaceFor } from '../../src/domain/tenant.js';
import { TIERS, type Tier } from '../../src/domain/tiers.js';
import type { KubeObject } from '../../src/drivers/contract.js';
import {
  FLUX_WATCH_LABEL,
  VALUES_KEY,
  createNamespaceManifests,
  deployCoreServicesManifests,
  deployDataServicesManifests,
  environmentValuesName,
  validateManifest,
} from '../../src/steps/manifests/index.js';
import { CORE_SERVICES, deployedServicesFor } from '../../src/steps/support/services.js';
import type { DeployEnvironment, TenantFacts } from '../../src/steps/step.js';
import { TEST_ENVIRONMENT } from '../support/deploy-environment.js';

/**
 * spec/002 DEPLOY_SERVICES' Helm values: `--values values-{environment}.yaml` (the environment's
 * ConfigMap, read through `valuesFrom`) and `--set tenant.id=... --set tenant.tier=...`.
 */

const TENANT_ID = '550e8400-e29b-41d4-a716-446655440000';

function tenant(tier: Tier): TenantFacts {
  return { id: TENANT_ID, slug: 'acme', tier, region: 'eastus', cloudProvider: 'AZURE', adminEmail: 'admin@acme.example', namespace: namespaceFor('acme') };
}

const both = (t: TenantFacts, environment: DeployEnvironment = TEST_ENVIRONMENT) => ({
  core: deployCoreServicesManifests(t, environment),
  data: deployDataServicesManifests(t, environment),
});
const releasesOf = (objs: KubeObject[]) => objs.filter((o) => o.kind === 'HelmRelease');
const specOf = (o: KubeObject) => o.spec as { values: { tenant?: unknown }; valuesFrom?: unknown };

describe('service release values', () => {
  it.each(TIERS)('carry tenant.id and tenant.tier for a %s tenant, in every release', (tier) => {
    const { core, data } = both(tenant(tier));
    const releases = releasesOf([...core, ...data]);
    expect(releases.map((o) => o.metadata.name)).toEqual(deployedServicesFor(tier));
    for (const r of releases) expect(specOf(r).values.tenant, r.metadata.name).toEqual({ id: TENANT_ID, tier: tier.toLowerCase() });
  });

  it('keep TENANT_ID in the environment beside tenant.id', () => {
    const [release] = releasesOf(both(tenant('PROFESSIONAL')).core);
    expect((release?.spec as { values: { env: unknown[] } }).values.env).toContainEqual({ name: 'TENANT_ID', value: TENANT_ID });
  });

  it.each(TIERS)("read the environment's values from its ConfigMap, in every release of a %s tenant", (tier) => {
    const { core, data } = both(tenant(tier));
    for (const r of releasesOf([...core, ...data])) {
      expect(specOf(r).valuesFrom, r.metadata.name).toEqual([{ kind: 'ConfigMap', name: 'values-production', valuesKey: 'values.yaml' }]);
    }
  });

  it.each(TIERS)("run every service of a %s tenant as the tenant's ServiceAccount, which CREATE_NAMESPACE makes", (tier) => {
    const { core, data } = both(tenant(tier));
    const made = createNamespaceManifests(tenant(tier), { provisionedAt: '2026-01-01T00:00:00.000Z', provisionedBy: 'test' }).filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name);
    for (const r of releasesOf([...core, ...data])) {
      const account = (r.spec as { values: { serviceAccount?: { create: boolean; name: string } } }).values.serviceAccount;
      expect(account, r.metadata.name).toEqual({ create: false, name: 'tenant-workload' });
      expect(made).toContain(account?.name);
    }
  });

  it('keep release names to the service: the namespace is the tenant', () => {
    expect(releasesOf(both(tenant('PROFESSIONAL')).core).map((o) => o.metadata.name)).toEqual([...CORE_SERVICES]);
  });
});

describe("the environment's values ConfigMap", () => {
  it('is declared once, by DEPLOY_CORE_SERVICES, in the tenant namespace, before its first release', () => {
    const t = tenant('PROFESSIONAL');
    const { core, data } = both(t);
    expect(core[0]).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'values-production',
        namespace: 'matih-acme',
        labels: {
          'matih.ai/tenant-id': TENANT_ID,
          'matih.ai/tenant-slug': 'acme',
          'matih.ai/managed-by': 'tenant-service',
          'matih.ai/step': 'DEPLOY_CORE_SERVICES',
          ...FLUX_WATCH_LABEL,
        },
      },
      data: { [VALUES_KEY]: TEST_ENVIRONMENT.values },
    });
    expect(core.slice(1).every((o) => o.kind === 'HelmRelease')).toBe(true);
    // The data services read the core step's ConfigMap and declare none of their own.
    expect(data.some((o) => o.kind === 'ConfigMap')).toBe(false);
    expect([...core, ...data].filter((o) => o.kind === 'ConfigMap')).toHaveLength(1);
  });

  it("is named after the environment, and every release follows it, with the environment's text as it is", () => {
    const staging: DeployEnvironment = { name: 'staging', values: '# staging\nlogLevel: info\n' };
    const { core, data } = both(tenant('FREE'), staging);
    expect(environmentValuesName(staging)).toBe('values-staging');
    expect(core[0]?.metadata.name).toBe('values-staging');
    expect(core[0]?.data).toEqual({ 'values.yaml': '# staging\nlogLevel: info\n' });
    for (const r of releasesOf([...core, ...data])) expect(specOf(r).valuesFrom).toEqual([{ kind: 'ConfigMap', name: 'values-staging', valuesKey: 'values.yaml' }]);
  });
});

describe('the values schema', () => {
  const release = () => structuredClone(releasesOf(both(tenant('PROFESSIONAL')).core)[0]!) as KubeObject & { spec: Record<string, unknown> & { values: Record<string, unknown> } };

  it('accepts what the builders make', () => {
    expect(validateManifest(release())).toEqual([]);
  });

  it('refuses a matih/* release without tenant.tier, or with a tier no plan has', () => {
    const without = release();
    without.spec.values.tenant = { id: TENANT_ID };
    expect(validateManifest(without).join('\n')).toContain('/spec/values/tenant');
    const upper = release();
    upper.spec.values.tenant = { id: TENANT_ID, tier: 'PROFESSIONAL' };
    expect(validateManifest(upper).join('\n')).toContain('/spec/values/tenant/tier');
  });

  it('refuses values read from anything but a ConfigMap or Secret, or from a bad key', () => {
    const kind = release();
    kind.spec.valuesFrom = [{ kind: 'GitRepository', name: 'values-production' }];
    expect(validateManifest(kind).join('\n')).toContain('/spec/valuesFrom/0/kind');
    const key = release();
    key.spec.valuesFrom = [{ kind: 'ConfigMap', name: 'values-production', valuesKey: 'values yaml' }];
    expect(validateManifest(key).join('\n')).toContain('/spec/valuesFrom/0/valuesKey');
  });
});
