import type { ObjectRef } from '../../drivers/contract.js';

/** "Secret/tenant-jwt-secret": how step outputs and messages name an object of the tenant. */
export function objectName(ref: ObjectRef): string {
  return `${ref.kind}/${ref.name}`;
}

export function sameObject(a: ObjectRef, b: ObjectRef): boolean {
  return a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '') && apiGroup(a.apiVersion) === apiGroup(b.apiVersion);
}

/** "apps/v1" -> "apps", "v1" -> "": objects are the same whatever version they are read at. */
function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
