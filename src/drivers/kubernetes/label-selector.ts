import { DriverError } from '../contract.js';

// Kubernetes' own rules (apimachinery validation): a label key is an optional DNS subdomain
// prefix and a slash, then a name of at most 63 characters; a value is empty or such a name.
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * An equality-based label selector ("k1=v1,k2=v2") for `labels`, or undefined for none (every
 * object). Keys and values are validated rather than escaped: the selector grammar has no
 * escaping, so a value with a comma, "=" or "!" would silently select something else. Keys are
 * sorted so one set of labels always makes the same request.
 */
export function labelSelector(labels: Readonly<Record<string, string>>): string | undefined {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return undefined;
  for (const [key, value] of entries) {
    if (!isLabelKey(key)) throw new DriverError(`not a valid label key: ${JSON.stringify(key)}`, false);
    if (!isLabelValue(value)) throw new DriverError(`not a valid value for label ${key}: ${JSON.stringify(value)}`, false);
  }
  return entries.map(([key, value]) => `${key}=${value}`).join(',');
}

function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && NAME.test(name);
}

function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && NAME.test(value));
}
