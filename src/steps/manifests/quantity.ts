import { QUANTITY_PATTERN as QUANTITY } from '../../domain/quantity.js';

/**
 * Kubernetes resource quantities (apimachinery pkg/api/resource) in manifests: the domain's
 * syntax, plus sign and whole numbers, which the API server enforces for quotas.
 */

/** Resources counted in objects: the API server wants whole numbers for these. */
const COUNTED = new Set(['pods', 'services', 'persistentvolumeclaims', 'configmaps', 'secrets', 'resourcequotas', 'replicationcontrollers', 'services.loadbalancers', 'services.nodeports']);

export function quantityProblems(resource: string, value: unknown, where: string): string[] {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !QUANTITY.test(text)) return [`${where}.${resource}: "${String(value)}" is not a Kubernetes quantity`];
  if (text.startsWith('-')) return [`${where}.${resource}: "${text}" must not be negative`];
  // Whole numbers written plainly; the API server would also take "1k", we never need to.
  if ((COUNTED.has(resource) || resource.startsWith('count/')) && !/^\+?\d+$/.test(text)) {
    return [`${where}.${resource}: "${text}" must be a whole number of objects`];
  }
  return [];
}

/** Every entry of a resource list (`hard`, `default`, `limits`...), if it is one. */
export function resourceListProblems(list: unknown, where: string): string[] {
  if (list === undefined) return [];
  if (typeof list !== 'object' || list === null || Array.isArray(list)) return [`${where}: not a map of quantities`];
  return Object.entries(list).flatMap(([resource, value]) => quantityProblems(resource, value, where));
}
