import type { KubeObject, ObjectObservation } from '../contract.js';
import { containsDeclared, refOf } from '../../shared/kubernetes-objects.js';

/**
 * The observation of ClusterDriver.observe, for any driver that can `get`: absent, present and
 * equal to the declaration in every field it declares (containsDeclared), or present and drifted.
 */
export async function observeObject(get: (ref: ReturnType<typeof refOf>) => Promise<KubeObject | undefined>, desired: KubeObject): Promise<ObjectObservation> {
  const actual = await get(refOf(desired));
  if (actual === undefined) return { exists: false, upToDate: false };
  return { exists: true, upToDate: containsDeclared(actual, desired), actual };
}
