import type { SimObjectKey, SimObjectRecord } from '../../shared/simulated-cluster-store.js';

/**
 * When the simulated cluster calls an object ready. Workloads (what a controller rolls out or a
 * cloud provisions) become ready `delayMs` after an apply that changed them, stored as ready_at;
 * everything else is ready once it exists, as readiness.ts of the real driver judges it. The
 * status the sim shows (sim-status.ts) is made from the same answer, so a reader that judges the
 * object with drivers/kubernetes/readiness.ts agrees with awaitReady.
 */
export type SimWorkload = 'Deployment' | 'StatefulSet' | 'HelmRelease' | 'LoadBalancer';

export function workloadOf(key: Pick<SimObjectKey, 'apiGroup' | 'kind'>, object: Readonly<Record<string, unknown>>): SimWorkload | undefined {
  if (key.apiGroup === 'apps' && (key.kind === 'Deployment' || key.kind === 'StatefulSet')) return key.kind;
  if (key.apiGroup === 'helm.toolkit.fluxcd.io' && key.kind === 'HelmRelease') return 'HelmRelease';
  if (key.apiGroup === '' && key.kind === 'Service' && isLoadBalancer(object)) return 'LoadBalancer';
  return undefined;
}

export function isLoadBalancer(object: Readonly<Record<string, unknown>>): boolean {
  const spec = object.spec;
  return typeof spec === 'object' && spec !== null && (spec as Record<string, unknown>).type === 'LoadBalancer';
}

/** ready_at for an object just created or changed (generation bumped). */
export function readyAtAfterChange(workload: SimWorkload | undefined, now: number, delayMs: number): Date {
  return new Date(workload ? now + delayMs : now);
}

export function isSimReady(record: SimObjectRecord, now: number): boolean {
  const workload = workloadOf(record, record.object);
  if (!workload) return true;
  if (record.readyAt === null || record.readyAt.getTime() > now) return false;
  // A load balancer the pool had no address for stays pending, as on a cloud out of addresses.
  return workload !== 'LoadBalancer' || record.loadBalancerIp !== null;
}

/** Why it is not ready yet, for awaitReady's timeout message. */
export function simPendingReason(record: SimObjectRecord, now: number): string {
  const workload = workloadOf(record, record.object);
  if (workload === 'LoadBalancer' && record.loadBalancerIp === null) return 'no free address in the simulated load-balancer pool';
  if (record.readyAt === null) return 'the simulated controller has not made it ready';
  return `the simulated controller makes it ready in ${Math.max(0, record.readyAt.getTime() - now)} ms`;
}
