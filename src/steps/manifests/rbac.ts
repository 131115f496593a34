import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { StepName } from '../../domain/plans.js';
import type { KubeObject } from '../../drivers/contract.js';
import type { TenantFacts } from '../step.js';
import { tenantMeta, toKubeObject } from './object-meta.js';

/**
 * Not `default`: the namespace controller creates and owns that one, so applying it would share
 * ownership and deleting it on rollback would only see it recreated.
 */
export const TENANT_SERVICE_ACCOUNT = 'tenant-workload';
export const TENANT_ROLE = 'tenant-workload-reader';

const READ = ['get', 'list', 'watch'];

/**
 * What the tenant's pods may do with their ServiceAccount: read their own namespace. Nothing
 * more, on purpose: a wildcard Role would let any tenant pod delete the NetworkPolicies and the
 * ResourceQuota that isolate and bound it, or grant itself more through new RoleBindings. A
 * chart that needs to write (say, a pipeline creating Jobs) brings its own Role and account.
 */
const RULES: NonNullable<IRole['rules']> = [
  { apiGroups: [''], resources: ['pods', 'pods/log', 'services', 'endpoints', 'configmaps', 'persistentvolumeclaims', 'events'], verbs: READ },
  { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets'], verbs: READ },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: READ },
];

/** spec/004 phase 1: the ServiceAccount, and RBAC restricted to the namespace (Role, not ClusterRole). */
export function rbacManifests(tenant: TenantFacts): KubeObject[] {
  const step = StepName.CREATE_NAMESPACE;
  const account: IServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: tenantMeta(tenant, step, TENANT_SERVICE_ACCOUNT),
  };
  const role: IRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: tenantMeta(tenant, step, TENANT_ROLE),
    rules: RULES,
  };
  const binding: IRoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: tenantMeta(tenant, step, TENANT_ROLE),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: TENANT_ROLE },
    subjects: [{ kind: 'ServiceAccount', name: TENANT_SERVICE_ACCOUNT, namespace: tenant.namespace }],
  };
  return [toKubeObject(account), toKubeObject(role), toKubeObject(binding)];
}
