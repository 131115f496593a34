import { describe, expect, it } from 'vitest';
import { type CustomQuota, namespaceQuota, quotaShortfalls } from '../../src/domain/custom-quota.js';
import { type InfrastructureConfiguration, defaultConfiguration, quotaFitProblems } from '../../src/domain/infrastructure-configuration.js';
import { namespaceFor } from '../../src/domain/tenant.js';
import type { Tier } from '../../src/domain/tiers.js';
import { applyQuotasManifests } from '../../src/steps/manifests/index.js';
import type { TenantFacts } from '../../src/steps/step.js';
import { footprintOf, workloadFootprint } from '../../src/steps/workload-footprint.js';

/**
 * What a tenant's own releases take of its namespace (services at their replicas, ingress
 * controller, Prometheus with its sidecar, Grafana), summed from the manifests the steps declare,
 * and the one check that holds it against a quota: the tier table's for Free and Professional,
 * a declared custom one for Enterprise.
 */

const GI = 2 ** 30;
const MI = 2 ** 20;

function tenant(tier: Tier, infrastructure: InfrastructureConfiguration = defaultConfiguration(tier)): TenantFacts {
  return {
    id: '550e8400-e29b-41d4-a716-446655440000',
    slug: 'acme',
    tier,
    region: 'eastus',
    cloudProvider: 'AZURE',
    adminEmail: 'admin@acme.example',
    namespace: namespaceFor('acme'),
    infrastructure,
  };
}

/** A tier's quota as the check reads a custom one (Free and Professional bound every field). */
function tierQuota(tier: 'FREE' | 'PROFESSIONAL'): CustomQuota {
  const q = namespaceQuota(tier, undefined);
  if (!q || Object.values(q).some((v) => v === null)) throw new Error(`${tier} bounds every field`);
  return q as CustomQuota;
}

const ENTERPRISE_QUOTA: CustomQuota = { cpuRequests: '16', cpuLimits: '32', memoryRequests: '32Gi', memoryLimits: '64Gi', pods: 100, services: 50, persistentVolumeClaims: 20 };

describe("the tenant's workload footprint", () => {
  it('sums every container of every release at its replicas, with its volume claims', () => {
    // Enterprise, HA on (its default): 14 services at spec/004's 250m/512Mi (limits 1000m/1Gi),
    // the 3 core ones twice; 2 ingress controllers at 100m/128Mi (500m/256Mi); Prometheus
    // 500m/2Gi (2000m/4Gi) with its 10m/50Mi reloader and a 50Gi volume; Grafana 100m/256Mi (500m/1Gi)
    // with its dashboard sidecar 10m/64Mi (100m/128Mi).
    const services = 14 + 3;
    expect(workloadFootprint(tenant('ENTERPRISE'))).toEqual({
      cpuRequests: expect.closeTo(services * 0.25 + 2 * 0.1 + 0.5 + 0.01 + 0.1 + 0.01, 9) as number,
      cpuLimits: expect.closeTo(services * 1 + 2 * 0.5 + 2 + 0.01 + 0.5 + 0.1, 9) as number,
      memoryRequests: services * 512 * MI + 2 * 128 * MI + 2 * GI + 50 * MI + 256 * MI + 64 * MI,
      memoryLimits: services * GI + 2 * 256 * MI + 4 * GI + 50 * MI + GI + 128 * MI,
      pods: services + 2 + 1 + 1,
      persistentVolumeClaims: 1,
      storage: 50 * GI,
    });
    // Without HA the core services run once.
    expect(workloadFootprint(tenant('ENTERPRISE', { ...defaultConfiguration('ENTERPRISE'), enableHa: false })).pods).toBe(14 + 2 + 1 + 1);
  });

  it('counts a suspended tenant as running: the quota must hold it once reactivated', () => {
    expect(workloadFootprint({ ...tenant('ENTERPRISE'), suspended: true })).toEqual(workloadFootprint(tenant('ENTERPRISE')));
  });

  it('is the same for any tenant of a tier and configuration (what the API checks with)', () => {
    const configuration = { ...defaultConfiguration('ENTERPRISE'), enableHa: false };
    expect(footprintOf('ENTERPRISE', configuration)).toEqual(workloadFootprint(tenant('ENTERPRISE', configuration)));
  });
});

describe("a quota against the tenant's own releases", () => {
  it.each(['FREE', 'PROFESSIONAL'] as const)("a %s tenant fits its tier's quota", (tier) => {
    // A quota the services exceed makes the API server refuse pods: the tenant would never be ready.
    const configuration = defaultConfiguration(tier);
    expect(quotaShortfalls(tierQuota(tier), configuration.storageGb, footprintOf(tier, configuration))).toEqual([]);
  });

  it('an Enterprise tenant fits a custom quota that holds its releases, with or without HA', () => {
    for (const enableHa of [true, false]) {
      const configuration = { ...defaultConfiguration('ENTERPRISE'), enableHa };
      expect(quotaShortfalls(ENTERPRISE_QUOTA, configuration.storageGb, footprintOf('ENTERPRISE', configuration))).toEqual([]);
    }
  });

  it("refuses a custom quota too small for the Enterprise tenant's releases, naming each short field", () => {
    // Professional's quota is too small for Enterprise's 17 service pods and its larger monitoring.
    const configuration = defaultConfiguration('ENTERPRISE');
    const problems = quotaShortfalls(tierQuota('PROFESSIONAL'), 20, footprintOf('ENTERPRISE', configuration));
    expect(problems.map((p) => p.field)).toEqual(['configuration.quota.cpuLimits', 'configuration.storageGb']);
    expect(problems[0]?.message).toBe("must be at least 20610m: what the tenant's own services, monitoring and ingress controller are limited to in CPU");
    const pods = quotaShortfalls({ ...ENTERPRISE_QUOTA, pods: 20 }, 500, footprintOf('ENTERPRISE', configuration));
    expect(pods).toEqual([{ field: 'configuration.quota.pods', message: expect.stringContaining('at least 21') as string }]);
  });
});

describe("HA against a tier's own quota", () => {
  it('refuses HA where two of each core service do not fit the tier quota (Professional CPU limits), naming enableHa', () => {
    const professional = defaultConfiguration('PROFESSIONAL');
    expect(quotaFitProblems(professional, 'PROFESSIONAL', footprintOf)).toEqual([]);
    const ha = quotaFitProblems({ ...professional, enableHa: true }, 'PROFESSIONAL', footprintOf);
    expect(ha).toEqual([{ field: 'configuration.enableHa', message: expect.stringMatching(/^does not fit the PROFESSIONAL quota: cpuLimits must be at least 18910m/) as string }]);
    // Enterprise without a quota has no bound to break.
    expect(quotaFitProblems({ ...defaultConfiguration('ENTERPRISE'), enableHa: true }, 'ENTERPRISE', footprintOf)).toEqual([]);
  });
});

describe('the quota manifests of an Enterprise tenant', () => {
  it('are the declared quota with the storage of its configuration, and the LimitRange', () => {
    const objects = applyQuotasManifests(tenant('ENTERPRISE', { ...defaultConfiguration('ENTERPRISE'), storageGb: 750, quota: ENTERPRISE_QUOTA }));
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ResourceQuota/tenant-quota', 'LimitRange/tenant-limits']);
    expect(objects[0]?.spec).toEqual({
      hard: {
        'requests.cpu': '16',
        'limits.cpu': '32',
        'requests.memory': '32Gi',
        'limits.memory': '64Gi',
        pods: '100',
        services: '50',
        persistentvolumeclaims: '20',
        'requests.storage': '750Gi',
      },
    });
    expect(objects[0]?.metadata.labels).toMatchObject({ 'matih.ai/step': 'APPLY_QUOTAS' });
  });

  it('are none without a declared quota', () => {
    expect(applyQuotasManifests(tenant('ENTERPRISE'))).toEqual([]);
  });
});
