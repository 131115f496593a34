import { StepName } from '../../domain/plans.js';
import type { Tier } from '../../domain/tiers.js';
import type { KubeObject } from '../../drivers/contract.js';
import { CORE_SERVICES, dataServicesFor } from '../support/services.js';
import type { DeployEnvironment, TenantFacts } from '../step.js';
import { environmentValuesRef } from './environment-values.js';
import { HELM_RELEASE_API_VERSION, HELM_REPOSITORY, type HelmRelease, type ServiceValues, type TierValue } from './helm-release-schema.js';
import { tenantMeta, toKubeObject } from './object-meta.js';
import { DATABASE_SECRET } from './secrets.js';
import { TENANT_SERVICE_ACCOUNT } from './rbac.js';

export const IMAGE_REGISTRY = 'matih.azurecr.io';

/** How often Flux re-checks a release against its declaration and repairs drift. */
const RECONCILE_INTERVAL = '10m';

/**
 * spec/004 phase 5's dependency order as Flux `dependsOn`: Flux installs a release only when
 * all it depends on is Ready. Services spec/004 does not order (pipeline-service and the four
 * spec/002 adds) depend on nothing but the database, which exists before any release.
 */
export const SERVICE_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  'semantic-layer': ['catalog-service'],
  'bi-service': ['semantic-layer', 'query-engine'],
  'data-quality-service': ['catalog-service'],
  'ml-service': ['query-engine'],
  'render-service': ['bi-service'],
};

/** The tier spelt as the namespace's `matih.ai/tier` label spells it (spec/004 phase 1). */
const TIER_VALUE: Readonly<Record<Tier, TierValue>> = { FREE: 'free', PROFESSIONAL: 'professional', ENTERPRISE: 'enterprise' };

/**
 * spec/004 phase 3's example values, verbatim, under spec/002's `--set tenant.id=...
 * --set tenant.tier=...`. spec/002 puts the slug in `tenant.id`; here it is the tenant's UUID, as
 * in spec/004's TENANT_ID beside it (DESIGN.md section 9: the UUID is the id everywhere, the slug
 * a name, which the namespace already carries). The tag is spec/004's "latest" too, which makes
 * a redeploy pull whatever is newest; pinning it is for whoever owns the release train.
 */
export function serviceValues(tenant: TenantFacts, service: string): ServiceValues {
  return {
    tenant: { id: tenant.id, tier: TIER_VALUE[tenant.tier] },
    replicaCount: serviceReplicas(tenant, service),
    image: { repository: `${IMAGE_REGISTRY}/${service}`, tag: 'latest' },
    // The charts' usual keys: run as the tenant's ServiceAccount rather than `default`.
    serviceAccount: { create: false, name: TENANT_SERVICE_ACCOUNT },
    env: [
      { name: 'TENANT_ID', value: tenant.id },
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: DATABASE_SECRET, key: 'DATABASE_URL' } } },
    ],
    resources: tenant.tier === 'FREE' ? FREE_RESOURCES : SPEC_RESOURCES,
  };
}

/**
 * spec/004's one replica; two of each core service with `enableHa` (spec/000 configuration);
 * none while the tenant is suspended (spec/002 "Suspension": scaled to zero, data kept).
 */
export function serviceReplicas(tenant: TenantFacts, service: string): number {
  if (tenant.suspended) return 0;
  return tenant.infrastructure?.enableHa && (CORE_SERVICES as readonly string[]).includes(service) ? 2 : 1;
}

/** spec/004 phase 3's example. */
const SPEC_RESOURCES: ServiceValues['resources'] = { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1000m', memory: '1Gi' } };

/**
 * Free's nine services at spec/004's sizes would ask for 2.25 CPU and 4.5Gi and be limited to
 * 9 CPU and 9Gi, past Free's own quota (2 / 4 CPU, 4Gi / 8Gi): the API server would refuse the
 * last pods and the tenant would never become ready. Free gets smaller pods that fit with room
 * for its ingress controller (a test sums them against every tier's quota).
 */
const FREE_RESOURCES: ServiceValues['resources'] = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '400m', memory: '768Mi' } };

/**
 * One release per service, named after it: Helm release names are per namespace, and the
 * namespace is the tenant's, so spec/002's `{tenant}-{service}` prefix would add nothing but
 * length (and eat into Helm's 53 characters). The chart's own values.yaml, spec/002's first
 * `--values`, is the chart's default anyway; the environment's file comes through `valuesFrom`
 * (environment-values.ts), and `values` are merged over it, as `--set` over `--values`.
 */
export function serviceRelease(tenant: TenantFacts, environment: DeployEnvironment, step: StepName, service: string): KubeObject {
  const dependsOn = SERVICE_DEPENDENCIES[service]?.map((name) => ({ name }));
  const release: HelmRelease = {
    apiVersion: HELM_RELEASE_API_VERSION,
    kind: 'HelmRelease',
    metadata: tenantMeta(tenant, step, service),
    spec: {
      interval: RECONCILE_INTERVAL,
      // spec/004's `matih/<service>` is Helm CLI notation (repository/chart); Flux names the two apart.
      chart: { spec: { chart: service, sourceRef: { ...HELM_REPOSITORY } } },
      ...(dependsOn ? { dependsOn } : {}),
      valuesFrom: [environmentValuesRef(environment)],
      values: serviceValues(tenant, service),
    },
  };
  return toKubeObject(release);
}

/** spec/004 phase 3. */
export function coreServiceReleases(tenant: TenantFacts, environment: DeployEnvironment): KubeObject[] {
  return CORE_SERVICES.map((s) => serviceRelease(tenant, environment, StepName.DEPLOY_CORE_SERVICES, s));
}

/** spec/004 phase 5 in its dependency order, then the rest of spec/002's fourteen (Free: a subset). */
export function dataServiceReleases(tenant: TenantFacts, environment: DeployEnvironment): KubeObject[] {
  return dataServicesFor(tenant.tier).map((s) => serviceRelease(tenant, environment, StepName.DEPLOY_DATA_SERVICES, s));
}
