import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { KubeObject } from '../../drivers/contract.js';

type Validating = (obj: KubeObject) => void;

/**
 * The one cast of the module: an object under validation is untyped by definition, and the
 * model's schema check is what decides whether it really is a `T`.
 */
function check<T>(Model: new (data: T) => { validate(): void }): Validating {
  return (obj) => new Model(obj as unknown as T).validate();
}

/**
 * The kinds kubernetes-models checks for us: the ones the tenant steps build, and ConfigMap and
 * Service, which the later steps will. Imported one by one: the package index would load the
 * schemas of every kind Kubernetes has.
 */
const MODELS: ReadonlyMap<string, Validating> = new Map<string, Validating>([
  ['v1/Namespace', check(Namespace)],
  ['v1/ServiceAccount', check(ServiceAccount)],
  ['v1/Secret', check(Secret)],
  ['v1/ConfigMap', check(ConfigMap)],
  ['v1/Service', check(Service)],
  ['v1/ResourceQuota', check(ResourceQuota)],
  ['v1/LimitRange', check(LimitRange)],
  ['rbac.authorization.k8s.io/v1/Role', check(Role)],
  ['rbac.authorization.k8s.io/v1/RoleBinding', check(RoleBinding)],
  ['networking.k8s.io/v1/NetworkPolicy', check(NetworkPolicy)],
  ['networking.k8s.io/v1/Ingress', check(Ingress)],
]);

interface SchemaError {
  instancePath?: string;
  message?: string;
}

function hasSchemaErrors(error: unknown): error is { errors: SchemaError[] } {
  return typeof error === 'object' && error !== null && Array.isArray((error as { errors?: unknown }).errors);
}

/** kubernetes-models' OpenAPI check; nothing for a kind it is not given. */
export function schemaProblems(obj: KubeObject): string[] {
  const validate = MODELS.get(`${obj.apiVersion}/${obj.kind}`);
  if (!validate) return [];
  try {
    validate(obj);
    return [];
  } catch (error) {
    if (!hasSchemaErrors(error)) return [error instanceof Error ? error.message : String(error)];
    return error.errors.map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  }
}
