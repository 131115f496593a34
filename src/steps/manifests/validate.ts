import { Value } from '@sinclair/typebox/value';
import { DriverError, type KubeObject } from '../../drivers/contract.js';
import { dns1123Label, dns1123Subdomain, labelMap, qualifiedName } from './dns1123.js';
import { HELM_RELEASE_API_VERSION, HELM_REPOSITORY, HelmReleaseSchema, ServiceValuesSchema } from './helm-release-schema.js';
import { schemaProblems } from './model-schemas.js';
import { alertmanagerConfigProblems } from './alertmanager-config-schema.js';
import { prometheusRuleProblems } from './prometheus-rule-schema.js';
import { resourceListProblems } from './quantity.js';

/** Kinds without a namespace; every other kind a tenant owns lives in the tenant's namespace. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'ClusterIssuer', 'IngressClass', 'PersistentVolume', 'StorageClass', 'PriorityClass']);

/** Kinds whose names end up in DNS names or other label-limited places, so must be DNS-1123 labels. */
const LABEL_NAMED = new Set(['Namespace', 'Service']);

/** Flux uses the HelmRelease name as the Helm release name, which Helm caps at 53 characters. */
const HELM_RELEASE_NAME_MAX = 53;

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

type Rule = (obj: KubeObject) => string[];

function nameProblems(obj: KubeObject): string[] {
  const { name } = obj.metadata;
  if (typeof name !== 'string' || name === '') return ['metadata.name is missing'];
  const problems = obj.kind === 'HelmRelease'
    ? dns1123Label(name, HELM_RELEASE_NAME_MAX)
    : LABEL_NAMED.has(obj.kind) ? dns1123Label(name) : dns1123Subdomain(name);
  return problems.map((p) => `metadata.name: ${p}`);
}

function namespaceProblems(obj: KubeObject): string[] {
  const ns = obj.metadata.namespace;
  if (CLUSTER_SCOPED.has(obj.kind)) return ns === undefined ? [] : [`metadata.namespace: ${obj.kind} is cluster-scoped and takes none`];
  if (ns === undefined || ns === '') return [`metadata.namespace: ${obj.kind} is namespaced and needs one`];
  return dns1123Label(ns).map((p) => `metadata.namespace: ${p}`);
}

function metadataProblems(obj: KubeObject): string[] {
  const { labels = {}, annotations = {} } = obj.metadata;
  return [...labelMap(labels, 'metadata.labels'), ...Object.keys(annotations).flatMap((k) => qualifiedName(k).map((p) => `metadata.annotations: ${p}`))];
}

/** Every `matchLabels` anywhere in the object (NetworkPolicy peers, workload selectors). */
function selectorProblems(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const here = path ? `${path}.${key}` : key;
    if (key === 'matchLabels' && typeof child === 'object' && child !== null) return labelMap(child as Record<string, string>, here);
    return selectorProblems(child, here);
  });
}

const kindRules: Readonly<Record<string, Rule>> = {
  // Its problems come prefixed with Kind/name already; validateManifest adds that prefix again.
  PrometheusRule: (o) => prometheusRuleProblems(o).map((p) => p.replace(/^PrometheusRule\/[^:]*: /, '')),
  AlertmanagerConfig: (o) => alertmanagerConfigProblems(o).map((p) => p.replace(/^AlertmanagerConfig\/[^:]*: /, '')),
  ResourceQuota: (o) => resourceListProblems((o.spec as { hard?: unknown } | undefined)?.hard, 'spec.hard'),
  LimitRange: (o) => {
    const limits = (o.spec as { limits?: Record<string, unknown>[] } | undefined)?.limits ?? [];
    return limits.flatMap((l, i) =>
      ['default', 'defaultRequest', 'max', 'min', 'maxLimitRequestRatio'].flatMap((f) => resourceListProblems(l[f], `spec.limits[${i}].${f}`)),
    );
  },
  Secret: (o) => Object.keys((o.data as Record<string, unknown> | undefined) ?? {})
    .filter((k) => !SECRET_KEY.test(k) || k.length > 253)
    .map((k) => `data: key "${k}" may hold only letters, digits, '-', '_' and '.'`),
  HelmRelease: (o) => {
    if (o.apiVersion !== HELM_RELEASE_API_VERSION) return [`apiVersion: HelmRelease must be ${HELM_RELEASE_API_VERSION}`];
    if (!Value.Check(HelmReleaseSchema, o)) return [...Value.Errors(HelmReleaseSchema, o)].map((e) => `${e.path || '/'} ${e.message}`);
    // Our charts share one values contract (spec/004's example); other charts bring their own.
    if (o.spec.chart.spec.sourceRef.name !== HELM_REPOSITORY.name) return [];
    const { values } = o.spec;
    if (!Value.Check(ServiceValuesSchema, values)) return [...Value.Errors(ServiceValuesSchema, values)].map((e) => `/spec/values${e.path} ${e.message}`);
    return [
      ...resourceListProblems(values.resources.requests, 'spec.values.resources.requests'),
      ...resourceListProblems(values.resources.limits, 'spec.values.resources.limits'),
    ];
  },
};

/**
 * Everything wrong with one manifest, before the API server sees it: the kind's OpenAPI schema
 * (kubernetes-models) or, for HelmRelease, PrometheusRule and AlertmanagerConfig, our own schemas; DNS-1123 names; label and
 * annotation keys and values; namespace presence; quantities. Empty means valid.
 */
export function validateManifest(obj: KubeObject): string[] {
  const problems = [
    ...nameProblems(obj),
    ...namespaceProblems(obj),
    ...metadataProblems(obj),
    ...selectorProblems(obj.spec, 'spec'),
    ...schemaProblems(obj),
    ...(kindRules[obj.kind]?.(obj) ?? []),
  ];
  return problems.map((p) => `${obj.kind}/${obj.metadata.name ?? '?'}: ${p}`);
}

/**
 * A manifest that fails validation fails the same way on every attempt: permanent, so the
 * engine rolls back at once instead of retrying what can never pass.
 */
export class ManifestValidationError extends DriverError {
  constructor(readonly problems: readonly string[]) {
    super(`invalid manifests: ${problems.join('; ')}`, false);
    this.name = 'ManifestValidationError';
  }
}

export function assertValidManifests(objs: readonly KubeObject[]): void {
  const problems = objs.flatMap(validateManifest);
  if (problems.length > 0) throw new ManifestValidationError(problems);
}
