import { StepName } from '../../domain/plans.js';
import type { Tier } from '../../domain/tiers.js';
import type { KubeObject, ObjectRef } from '../../drivers/contract.js';
import type { TenantFacts } from '../step.js';
import { HELM_RELEASE_API_VERSION, type HelmRelease, type ServiceValues } from './helm-release-schema.js';
import { tenantMeta, toKubeObject } from './object-meta.js';

/**
 * spec/004 phase 6: the tenant's own ingress-nginx, a Flux HelmRelease in its namespace with
 * spec/004's values: its own IngressClass `nginx-{slug}` and controller value (so two tenants'
 * controllers never serve each other's Ingresses), a LoadBalancer Service (the tenant's own
 * address), two replicas, no admission webhook (a webhook is cluster-wide, one per tenant would
 * collide).
 */

export const INGRESS_NGINX_REPOSITORY = { kind: 'HelmRepository', name: 'ingress-nginx', namespace: 'flux-system' } as const;
/** Pinned to a major: the values below are written against the 4.x chart. */
const INGRESS_NGINX_CHART = { chart: 'ingress-nginx', version: '4.x' } as const;

export const INGRESS_CONTROLLER_RELEASE = 'ingress-nginx';
/**
 * The chart names its controller Service `<fullname>-controller`; the fullname is the release
 * name when that contains the chart's name, as ours does.
 */
export const INGRESS_CONTROLLER_SERVICE = `${INGRESS_CONTROLLER_RELEASE}-controller`;

export function ingressClassName(tenant: Pick<TenantFacts, 'slug'>): string {
  return `nginx-${tenant.slug}`;
}

/** The Service whose LoadBalancer address is the tenant's. */
export function ingressControllerServiceRef(tenant: TenantFacts): ObjectRef {
  return { apiVersion: 'v1', kind: 'Service', name: INGRESS_CONTROLLER_SERVICE, namespace: tenant.namespace };
}

/**
 * spec/004's sizes, per replica. Free's quota has 140m CPU and 654Mi of limits left once its
 * services and monitoring are counted (monitoring-sizing.ts), so its two replicas share those;
 * a test sums everything against each tier's quota.
 */
const SIZES: Readonly<Record<Tier, ServiceValues['resources']>> = {
  FREE: { requests: { cpu: '25m', memory: '96Mi' }, limits: { cpu: '70m', memory: '128Mi' } },
  PROFESSIONAL: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
  ENTERPRISE: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
};

export const INGRESS_CONTROLLER_REPLICAS = 2;

export function ingressControllerResources(tier: Tier): ServiceValues['resources'] {
  return SIZES[tier];
}

export function ingressControllerValues(tenant: TenantFacts): Record<string, unknown> {
  const className = ingressClassName(tenant);
  return {
    controller: {
      ingressClassResource: { name: className, controllerValue: `k8s.io/ingress-nginx-${tenant.slug}` },
      ingressClass: className,
      // Zero while suspended: the address (and so DNS) stays, nothing answers behind it.
      replicaCount: tenant.suspended ? 0 : INGRESS_CONTROLLER_REPLICAS,
      service: {
        type: 'LoadBalancer',
        annotations: { 'service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path': '/healthz' },
      },
      admissionWebhooks: { enabled: false },
      resources: ingressControllerResources(tenant.tier),
    },
  };
}

export function ingressControllerRelease(tenant: TenantFacts): KubeObject {
  const release: HelmRelease = {
    apiVersion: HELM_RELEASE_API_VERSION,
    kind: 'HelmRelease',
    metadata: tenantMeta(tenant, StepName.DEPLOY_INGRESS_CONTROLLER, INGRESS_CONTROLLER_RELEASE),
    spec: {
      interval: '10m',
      chart: { spec: { ...INGRESS_NGINX_CHART, sourceRef: { ...INGRESS_NGINX_REPOSITORY } } },
      values: ingressControllerValues(tenant),
    },
  };
  return toKubeObject(release);
}

/** The first address (or host name) the cloud gave the Service, if any. */
export function loadBalancerAddress(service: KubeObject | undefined): string | undefined {
  const status = service?.status as { loadBalancer?: { ingress?: { ip?: unknown; hostname?: unknown }[] } } | undefined;
  for (const entry of status?.loadBalancer?.ingress ?? []) {
    if (typeof entry.ip === 'string' && entry.ip !== '') return entry.ip;
    if (typeof entry.hostname === 'string' && entry.hostname !== '') return entry.hostname;
  }
  return undefined;
}
