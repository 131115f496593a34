import type { ObjectRef } from '../contract.js';
import type { SimObjectKey } from '../../shared/simulated-cluster-store.js';

/**
 * What the simulated cluster knows of kinds: which API group one belongs to and whether it is
 * namespaced. A real API server learns this from its registered resources (discovery); the sim
 * has these lists, and treats a kind it does not know as namespaced exactly when it is given a
 * namespace.
 */

/** "apps/v1" -> "apps"; "v1" (the core group) -> "". */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

const kindKey = (group: string, kind: string) => `${group}/${kind}`;

const NAMESPACED_KINDS = new Set([
  ...['ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'ResourceQuota', 'LimitRange', 'PersistentVolumeClaim', 'Pod', 'Endpoints', 'Event'].map((k) => kindKey('', k)),
  ...['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].map((k) => kindKey('apps', k)),
  kindKey('batch', 'Job'),
  kindKey('batch', 'CronJob'),
  kindKey('rbac.authorization.k8s.io', 'Role'),
  kindKey('rbac.authorization.k8s.io', 'RoleBinding'),
  kindKey('networking.k8s.io', 'NetworkPolicy'),
  kindKey('networking.k8s.io', 'Ingress'),
  kindKey('policy', 'PodDisruptionBudget'),
  kindKey('autoscaling', 'HorizontalPodAutoscaler'),
  kindKey('helm.toolkit.fluxcd.io', 'HelmRelease'),
  kindKey('source.toolkit.fluxcd.io', 'HelmRepository'),
  kindKey('source.toolkit.fluxcd.io', 'GitRepository'),
  kindKey('kustomize.toolkit.fluxcd.io', 'Kustomization'),
  kindKey('cert-manager.io', 'Certificate'),
  kindKey('cert-manager.io', 'Issuer'),
  kindKey('monitoring.coreos.com', 'ServiceMonitor'),
  kindKey('monitoring.coreos.com', 'PrometheusRule'),
  kindKey('monitoring.coreos.com', 'AlertmanagerConfig'),
]);

const CLUSTER_SCOPED_KINDS = new Set([
  kindKey('', 'Namespace'),
  kindKey('', 'Node'),
  kindKey('', 'PersistentVolume'),
  kindKey('rbac.authorization.k8s.io', 'ClusterRole'),
  kindKey('rbac.authorization.k8s.io', 'ClusterRoleBinding'),
  kindKey('storage.k8s.io', 'StorageClass'),
  kindKey('apiextensions.k8s.io', 'CustomResourceDefinition'),
  kindKey('scheduling.k8s.io', 'PriorityClass'),
  kindKey('networking.k8s.io', 'IngressClass'),
  kindKey('cert-manager.io', 'ClusterIssuer'),
]);

export function isKnownNamespaced(group: string, kind: string): boolean {
  return NAMESPACED_KINDS.has(kindKey(group, kind));
}

export function isKnownClusterScoped(group: string, kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.has(kindKey(group, kind));
}

export function isNamespaceKind(group: string, kind: string): boolean {
  return group === '' && kind === 'Namespace';
}

/** Where an object of this kind lives: '' (cluster scope) for cluster-scoped kinds, whatever namespace was given. */
export function scopedNamespace(group: string, kind: string, namespace: string | undefined): string {
  return isKnownClusterScoped(group, kind) ? '' : (namespace ?? '');
}

export function keyOfRef(ref: ObjectRef): SimObjectKey {
  const apiGroup = groupOf(ref.apiVersion);
  return { apiGroup, kind: ref.kind, namespace: scopedNamespace(apiGroup, ref.kind, ref.namespace), name: ref.name };
}
