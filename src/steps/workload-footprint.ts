import type { WorkloadFootprint } from '../domain/custom-quota.js';
import type { FootprintOf } from '../domain/infrastructure-configuration.js';
import { parseQuantity } from '../domain/quantity.js';
import type { KubeObject } from '../drivers/contract.js';
import {
  GRAFANA_RELEASE,
  INGRESS_CONTROLLER_RELEASE,
  PROMETHEUS_RELEASE,
  deployCoreServicesManifests,
  deployDataServicesManifests,
  deployIngressControllerManifests,
  deployMonitoringManifests,
} from './manifests/index.js';
import type { DeployEnvironment, TenantFacts } from './step.js';

/** A container's resources as the releases' values state them. */
interface Resources {
  requests?: Record<string, unknown>;
  limits?: Record<string, unknown>;
}

/** One pod template of a release: how many run, their containers, the storage each pod claims. */
interface PodTemplate {
  release: string;
  replicas: number;
  containers: Resources[];
  claims: string[];
}

/**
 * What the tenant's own workloads take of its namespace with everything running, read from the
 * very HelmReleases its steps declare (services, ingress controller, Prometheus, Grafana): a
 * change of any release's values changes what a quota must hold, with nothing to keep in step.
 * Every container states its requests and limits (the LimitRange's defaults are for charts that
 * forget); one that does not is a bug here, thrown rather than counted as nothing.
 */
export function workloadFootprint(tenant: TenantFacts): WorkloadFootprint {
  // Suspended, every replica count is zero: a quota must hold the tenant once reactivated.
  const running = { ...tenant, suspended: false };
  const releases = [
    ...deployCoreServicesManifests(running, ENVIRONMENT),
    ...deployDataServicesManifests(running, ENVIRONMENT),
    ...deployIngressControllerManifests(running),
    ...deployMonitoringManifests(running),
  ].filter((o) => o.kind === 'HelmRelease');
  const sum: WorkloadFootprint = { cpuRequests: 0, cpuLimits: 0, memoryRequests: 0, memoryLimits: 0, pods: 0, persistentVolumeClaims: 0, storage: 0 };
  for (const pod of releases.map(podTemplate)) {
    const n = pod.replicas;
    sum.pods += n;
    for (const c of pod.containers) {
      sum.cpuRequests += n * amount(pod.release, c.requests, 'cpu');
      sum.cpuLimits += n * amount(pod.release, c.limits, 'cpu');
      sum.memoryRequests += n * amount(pod.release, c.requests, 'memory');
      sum.memoryLimits += n * amount(pod.release, c.limits, 'memory');
    }
    sum.persistentVolumeClaims += n * pod.claims.length;
    for (const claim of pod.claims) sum.storage += n * quantity(pod.release, claim);
  }
  return sum;
}

/**
 * The environment's values file sits under each release's `values` (Flux merges `values` over
 * `valuesFrom`), and the requests and limits are in `values`: whichever environment, the same.
 */
const ENVIRONMENT: DeployEnvironment = { name: 'footprint', values: '' };

/** A tenant's identity changes nothing its workloads take: any will do to build its releases. */
const STAND_IN = {
  id: '00000000-0000-4000-8000-000000000000',
  slug: 'footprint',
  namespace: 'matih-footprint',
  region: 'eastus',
  cloudProvider: 'AZURE',
  adminEmail: 'footprint@matih.invalid',
} as const;

/** {@link workloadFootprint} of a tenant of `tier` with `configuration`: what the API checks a declared quota against. */
export const footprintOf: FootprintOf = (tier, configuration) => workloadFootprint({ ...STAND_IN, tier, infrastructure: configuration });

/** Where each release keeps its pod's replica count, containers and volume claims. */
function podTemplate(release: KubeObject): PodTemplate {
  const name = release.metadata.name;
  const values = at(name, release, 'spec', 'values');
  if (name === INGRESS_CONTROLLER_RELEASE) {
    const controller = at(name, values, 'controller');
    return { release: name, replicas: count(name, at(name, controller, 'replicaCount')), containers: [resources(name, controller)], claims: [] };
  }
  if (name === PROMETHEUS_RELEASE) {
    const spec = at(name, values, 'prometheus', 'prometheusSpec');
    const sidecars = at(name, spec, 'containers');
    if (!Array.isArray(sidecars)) throw new Error(`${name}: prometheusSpec.containers is not a list`);
    const claim = at(name, spec, 'storageSpec', 'volumeClaimTemplate', 'spec', 'resources', 'requests', 'storage');
    return {
      release: name,
      replicas: count(name, at(name, spec, 'replicas')),
      containers: [resources(name, spec), ...sidecars.map((c: unknown) => resources(name, c))],
      claims: [String(claim)],
    };
  }
  if (name === GRAFANA_RELEASE) {
    // The dashboard sidecar runs beside Grafana in its pod, sized by `sidecar.resources`.
    const sidecar = at(name, values, 'sidecar');
    return { release: name, replicas: count(name, at(name, values, 'replicas')), containers: [resources(name, values), resources(name, sidecar)], claims: [] };
  }
  return { release: name, replicas: count(name, at(name, values, 'replicaCount')), containers: [resources(name, values)], claims: [] };
}

function at(release: string, node: unknown, ...path: string[]): unknown {
  let here = node;
  for (const key of path) {
    if (typeof here !== 'object' || here === null || !(key in here)) throw new Error(`${release}: its values have no ${path.join('.')}`);
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

function resources(release: string, holder: unknown): Resources {
  const r = at(release, holder, 'resources');
  if (typeof r !== 'object' || r === null) throw new Error(`${release}: resources is not a map`);
  return r;
}

function count(release: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error(`${release}: replica count ${String(value)} is not a whole number`);
  return value;
}

function amount(release: string, list: Record<string, unknown> | undefined, resource: 'cpu' | 'memory'): number {
  const value = list?.[resource];
  if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`${release}: a container states no ${resource} in its requests or limits`);
  return quantity(release, String(value));
}

function quantity(release: string, text: string): number {
  const value = parseQuantity(text);
  if (value === undefined) throw new Error(`${release}: "${text}" is not a Kubernetes quantity`);
  return value;
}
