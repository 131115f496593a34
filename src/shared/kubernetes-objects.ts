/**
 * The shapes of Kubernetes objects every layer names: the driver contract applies them, the steps
 * declare them, the simulated cluster's store keeps them and the inspection API shows them. This
 * folder (src/shared/) holds only such neutral shapes: it imports nothing of the service, and any
 * layer may import it.
 */

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
