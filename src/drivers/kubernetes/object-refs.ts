import type { KubeObject, ObjectRef } from '../contract.js';

/** How messages name an object: "apps/v1 Deployment matih-acme/web", as an operator would look it up. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.apiVersion} ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** A JSON value the API server sent, checked to be an object before we treat it as one. */
export function isKubeObject(value: unknown): value is KubeObject {
  const o = value as Partial<KubeObject> | null;
  return typeof o === 'object' && o !== null && typeof o.metadata === 'object' && o.metadata !== null && typeof o.metadata.name === 'string';
}
