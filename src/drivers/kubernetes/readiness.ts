import type { KubeObject } from '../contract.js';

export interface Readiness {
  ready: boolean;
  /** Why not, in an operator's words; it ends up in the timeout error. */
  reason: string;
}

const READY: Readiness = { ready: true, reason: 'ready' };

/**
 * Kinds whose controller reports a Ready condition. They are not ready until it says so: a
 * HelmRelease the Flux helm-controller has not reconciled yet has no status at all, and "ready
 * once it exists" would declare a release installed before Helm ran.
 */
const REPORTS_READY_CONDITION = new Set([
  'helm.toolkit.fluxcd.io/HelmRelease',
  'kustomize.toolkit.fluxcd.io/Kustomization',
  'source.toolkit.fluxcd.io/HelmRepository',
  'cert-manager.io/Certificate',
]);

/** Whether one object (as the API server returned it, or undefined when absent) is ready. */
export function readinessOf(object: KubeObject | undefined): Readiness {
  if (!object) return { ready: false, reason: 'does not exist' };
  if (object.metadata.deletionTimestamp) return { ready: false, reason: 'is being deleted' };
  if (object.kind === 'Deployment' && object.apiVersion === 'apps/v1') return deploymentReadiness(object);
  if (object.kind === 'Service' && object.apiVersion === 'v1') return serviceReadiness(object);

  const ready = readyCondition(object);
  if (ready) return conditionReadiness(object, ready);
  const group = object.apiVersion.split('/')[0] ?? '';
  if (REPORTS_READY_CONDITION.has(`${group}/${object.kind}`)) return { ready: false, reason: 'its controller has not reported a Ready condition yet' };
  // ConfigMaps, Secrets, RBAC, NetworkPolicies, quotas: nothing reconciles them; existing is being ready.
  return READY;
}

/**
 * As `kubectl rollout status` judges it: the controller has seen the current spec, and enough
 * pods of that spec are available. Without the generation check a Deployment applied a moment
 * ago would look ready on the previous rollout's numbers.
 */
function deploymentReadiness(object: KubeObject): Readiness {
  const spec = record(object.spec);
  const status = record(object.status);
  const desired = typeof spec.replicas === 'number' ? spec.replicas : 1; // the API server's default
  const generation = number(object.metadata.generation);
  const observed = number(status.observedGeneration);
  if (generation !== undefined && (observed === undefined || observed < generation)) {
    return { ready: false, reason: 'the deployment controller has not observed the latest spec yet' };
  }
  const updated = number(status.updatedReplicas);
  if (updated !== undefined && updated < desired) return { ready: false, reason: `${updated} of ${desired} replicas updated` };
  const available = number(status.availableReplicas) ?? 0;
  if (available < desired) return { ready: false, reason: `${available} of ${desired} replicas available` };
  return READY;
}

/** Only a LoadBalancer waits, for the cloud to give it an address; other Services work once they exist. */
function serviceReadiness(object: KubeObject): Readiness {
  if (record(object.spec).type !== 'LoadBalancer') return READY;
  const ingress = record(record(object.status).loadBalancer).ingress;
  const addressed = Array.isArray(ingress) && ingress.some((i) => typeof record(i).ip === 'string' || typeof record(i).hostname === 'string');
  return addressed ? READY : { ready: false, reason: 'the load balancer has no ingress address yet' };
}

function conditionReadiness(object: KubeObject, condition: Record<string, unknown>): Readiness {
  // Flux and cert-manager record the generation they judged; a Ready=True about the previous
  // spec says nothing about the one just applied.
  const generation = number(object.metadata.generation);
  const observed = number(condition.observedGeneration) ?? number(record(object.status).observedGeneration);
  if (generation !== undefined && observed !== undefined && observed < generation) {
    return { ready: false, reason: 'its controller has not observed the latest spec yet' };
  }
  if (condition.status === 'True') return READY;
  const why = [condition.reason, condition.message].filter((p) => typeof p === 'string' && p !== '').join(': ');
  return { ready: false, reason: `Ready=${String(condition.status)}${why ? ` (${why})` : ''}` };
}

function readyCondition(object: KubeObject): Record<string, unknown> | undefined {
  const conditions = record(object.status).conditions;
  if (!Array.isArray(conditions)) return undefined;
  return conditions.map(record).find((c) => c.type === 'Ready');
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
