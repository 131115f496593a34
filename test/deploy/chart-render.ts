import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { type HelmResult, runHelm } from '../support/helm.js';
import { REPO_ROOT } from '../support/service-process.js';

/** What the chart tests render and how they read it: `helm template` output as objects, and their checks. */

export const CHART = path.join(REPO_ROOT, 'deploy', 'helm', 'matih-control-plane');
export const RELEASE = 'matih-control-plane';
export const NAMESPACE = 'matih-system';

export interface Rendered {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** `helm template` of the chart as release RELEASE in NAMESPACE, with `args` (values files, --set). */
export function template(helm: string, args: readonly string[]): Promise<HelmResult> {
  return runHelm(helm, ['template', RELEASE, CHART, '--namespace', NAMESPACE, ...args]);
}

export function parseObjects(stdout: string): Rendered[] {
  return parseAllDocuments(stdout)
    .map((doc) => doc.toJS() as Rendered | null)
    .filter((o): o is Rendered => o !== null);
}

type Check = (object: Rendered) => void;

/** The one cast: an object under validation is untyped, and the model's schema decides what it is. */
function model<T>(Model: new (data: T) => { validate(): void }): Check {
  return (object) => new Model(object as unknown as T).validate();
}

/**
 * Minimal shape checks for the Prometheus Operator's kinds, which kubernetes-models has no models
 * for: what the operator needs to act on them, and nothing it would prune silently.
 */
function serviceMonitorShape(object: Rendered): void {
  const spec = object.spec as { selector?: { matchLabels?: unknown }; endpoints?: { port?: unknown; path?: unknown }[] } | undefined;
  if (!spec?.selector?.matchLabels || typeof spec.selector.matchLabels !== 'object') throw new Error('ServiceMonitor: spec.selector.matchLabels missing');
  if (!Array.isArray(spec.endpoints) || spec.endpoints.length === 0) throw new Error('ServiceMonitor: spec.endpoints missing');
  for (const e of spec.endpoints) if (typeof e.port !== 'string' || typeof e.path !== 'string') throw new Error('ServiceMonitor: an endpoint needs a port name and a path');
  const known = new Set(['selector', 'namespaceSelector', 'endpoints', 'jobLabel', 'targetLabels', 'podTargetLabels', 'sampleLimit']);
  for (const key of Object.keys(spec)) if (!known.has(key)) throw new Error(`ServiceMonitor: unknown spec field ${key}`);
}

function prometheusRuleShape(object: Rendered): void {
  const groups = (object.spec as { groups?: unknown } | undefined)?.groups;
  if (!Array.isArray(groups) || groups.length === 0) throw new Error('PrometheusRule: spec.groups must be a non-empty list');
  for (const g of groups as { name?: unknown; rules?: { alert?: unknown; record?: unknown; expr?: unknown }[] }[]) {
    if (typeof g.name !== 'string' || !Array.isArray(g.rules)) throw new Error('PrometheusRule: a group needs a name and rules');
    for (const r of g.rules) if (typeof r.expr !== 'string' || (typeof r.alert !== 'string' && typeof r.record !== 'string')) throw new Error('PrometheusRule: a rule needs expr and alert or record');
  }
}

const CHECKS: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['apps/v1/Deployment', model(Deployment)],
  ['policy/v1/PodDisruptionBudget', model(PodDisruptionBudget)],
  ['v1/ConfigMap', model(ConfigMap)],
  ['v1/Secret', model(Secret)],
  ['v1/Service', model(Service)],
  ['v1/ServiceAccount', model(ServiceAccount)],
  ['v1/PersistentVolumeClaim', model(PersistentVolumeClaim)],
  ['networking.k8s.io/v1/Ingress', model(Ingress)],
  ['networking.k8s.io/v1/NetworkPolicy', model(NetworkPolicy)],
  ['rbac.authorization.k8s.io/v1/ClusterRole', model(ClusterRole)],
  ['rbac.authorization.k8s.io/v1/ClusterRoleBinding', model(ClusterRoleBinding)],
  ['monitoring.coreos.com/v1/ServiceMonitor', serviceMonitorShape],
  ['monitoring.coreos.com/v1/PrometheusRule', prometheusRuleShape],
]);

/** Why an object is not valid, or undefined; a kind without a check is a failure too. */
export function validationProblem(object: Rendered): string | undefined {
  const check = CHECKS.get(`${object.apiVersion}/${object.kind}`);
  if (!check) return `no check for ${object.apiVersion} ${object.kind}: add its kubernetes-models class to test/deploy/chart-render.ts`;
  try {
    check(object);
    return undefined;
  } catch (error) {
    const errors = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
    if (Array.isArray(errors)) return errors.map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
    return error instanceof Error ? error.message : String(error);
  }
}

export function only(objects: readonly Rendered[], kind: string, name?: string): Rendered {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, rendered ${found.length}`);
  return found[0]!;
}
