import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ObjectObservation } from '../contract.js';
import { refOf } from '../../shared/kubernetes-objects.js';

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

/**
 * The observation of ClusterDriver.observe, for any driver that can `get`: absent, present and
 * equal to the declaration in every field it declares, or present and drifted.
 */
export async function observeObject(get: (ref: ReturnType<typeof refOf>) => Promise<KubeObject | undefined>, desired: KubeObject): Promise<ObjectObservation> {
  const actual = await get(refOf(desired));
  if (actual === undefined) return { exists: false, upToDate: false };
  return { exists: true, upToDate: containsDeclared(actual, desired), actual };
}
