/**
 * The shapes of Kubernetes objects every layer names: the driver contract applies them, the steps
 * declare them, the simulated cluster's store keeps them and the inspection API shows them. This
 * folder (src/shared/) holds only such neutral shapes: it imports nothing of the service, and any
 * layer may import it.
 */
import { isDeepStrictEqual } from 'node:util';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** Absent for cluster-scoped kinds (Namespace). */
  namespace?: string;
}

export interface ObjectKind {
  apiVersion: string;
  kind: string;
}

/** The reference of an object: what names it on the API server. */
export function refOf(object: KubeObject): ObjectRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
  };
}

/**
 * Whether the object a cluster holds says everything our declaration says: the test of
 * server-side apply's "the fields we manage are ours". The server adds fields (uid, status,
 * defaults such as a container port's protocol) and those are not drift; a declared field with
 * another value, or missing, is. Arrays must have the same length, element by element: a list we
 * declare is a list we own whole.
 */
export function containsDeclared(actual: unknown, declared: unknown): boolean {
  if (Array.isArray(declared)) {
    return Array.isArray(actual) && actual.length === declared.length && declared.every((d, i) => containsDeclared(actual[i], d));
  }
  if (isPlainObject(declared)) {
    if (!isPlainObject(actual)) return false;
    return Object.entries(declared).every(([key, value]) => containsDeclared(actual[key], value));
  }
  return isDeepStrictEqual(actual, declared);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
