import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ObjectRef } from '../drivers/contract.js';

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

export function refOf(object: KubeObject): ObjectRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
  };
}

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
