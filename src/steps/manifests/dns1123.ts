/**
 * The name rules of Kubernetes' apimachinery (pkg/util/validation), which the API server applies
 * on create. Checked before we apply, so a bad slug fails as a clear permanent error at build
 * time instead of a 422 mid-provisioning. Each function returns its problems; none means valid.
 */

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;

/** Namespaces and Services: lowercase alphanumerics and '-', at most 63. */
export function dns1123Label(value: string, max = DNS1123_LABEL_MAX): string[] {
  const problems: string[] = [];
  if (value.length > max) problems.push(`"${value}" is longer than ${max} characters`);
  if (!LABEL.test(value)) problems.push(`"${value}" is not a DNS-1123 label (lowercase letters, digits and '-', alphanumeric at both ends)`);
  return problems;
}

/** Most object names: DNS-1123 labels joined by dots, at most 253. */
export function dns1123Subdomain(value: string): string[] {
  const problems: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) problems.push(`"${value}" is longer than ${DNS1123_SUBDOMAIN_MAX} characters`);
  if (!SUBDOMAIN.test(value)) problems.push(`"${value}" is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', alphanumeric at both ends)`);
  return problems;
}

/** A label or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63. */
export function qualifiedName(key: string): string[] {
  const parts = key.split('/');
  if (parts.length > 2) return [`key "${key}" has more than one '/'`];
  const [prefix, name] = parts.length === 2 ? [parts[0] ?? '', parts[1] ?? ''] : [undefined, parts[0] ?? ''];
  const problems = prefix === undefined ? [] : prefix === '' ? [`key "${key}" has an empty prefix`] : dns1123Subdomain(prefix).map((p) => `key prefix ${p}`);
  if (name.length === 0 || name.length > DNS1123_LABEL_MAX) problems.push(`key "${key}": the name part must be 1 to ${DNS1123_LABEL_MAX} characters`);
  else if (!QUALIFIED_NAME.test(name)) problems.push(`key "${key}": the name part may hold letters, digits, '-', '_' and '.', alphanumeric at both ends`);
  return problems;
}

/** A label value: empty, or at most 63 of letters, digits, '-', '_' and '.', alphanumeric at both ends. */
export function labelValue(value: string): string[] {
  if (value.length > DNS1123_LABEL_MAX) return [`value "${value}" is longer than ${DNS1123_LABEL_MAX} characters`];
  return LABEL_VALUE.test(value) ? [] : [`value "${value}" may hold letters, digits, '-', '_' and '.', alphanumeric at both ends`];
}

/** Labels and selectors (matchLabels) share the rules: qualified keys, label values. */
export function labelMap(labels: Readonly<Record<string, string>>, where: string): string[] {
  return Object.entries(labels).flatMap(([k, v]) => [...qualifiedName(k), ...labelValue(v)].map((p) => `${where}: ${p}`));
}
