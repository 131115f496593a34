import { DriverError } from '../contract.js';

// RFC 1035/1123 host names: letters, digits and inner hyphens, 1-63 per label, 253 in all.
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const MAX_NAME_LENGTH = 253;
// A certificate is for a handful of hosts; a long list is a caller bug, not a use case.
const MAX_NAMES = 100;

/**
 * Checks the names a certificate is asked for, so a bad request fails here with a clear,
 * permanent error instead of as an unusable certificate later. The names are kept exactly as
 * given (they go into the SubjectAltName unchanged); this only refuses what no TLS client would
 * match:
 * - a wildcard only as the whole first label ("*.acme.example"), never "a*.x" or "x.*.y", and
 *   with at least two labels under it, since clients refuse "*.com"-style wildcards;
 * - no trailing dot, no IP addresses (a numeric last label), no duplicates (case-insensitive).
 */
export function validateDnsNames(dnsNames: readonly string[]): string[] {
  if (dnsNames.length === 0) throw invalid('a certificate needs at least one DNS name');
  if (dnsNames.length > MAX_NAMES) throw invalid(`a certificate takes at most ${MAX_NAMES} DNS names`);
  const seen = new Set<string>();
  for (const name of dnsNames) {
    const problem = problemWith(name);
    if (problem !== undefined) throw invalid(`invalid DNS name ${quote(name)}: ${problem}`);
    const key = name.toLowerCase();
    if (seen.has(key)) throw invalid(`DNS name ${quote(name)} is listed twice`);
    seen.add(key);
  }
  return [...dnsNames];
}

function problemWith(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'empty';
  if (name.length > MAX_NAME_LENGTH) return `longer than ${MAX_NAME_LENGTH} characters`;
  const labels = name.split('.');
  const wildcard = labels[0] === '*';
  const rest = wildcard ? labels.slice(1) : labels;
  if (wildcard && rest.length < 2) return 'a wildcard needs at least two labels under it';
  if (rest.some((label) => label.includes('*'))) return 'a wildcard may only be the whole first label';
  if (rest.some((label) => !LABEL.test(label))) {
    return 'each label must be 1-63 letters, digits or inner hyphens (no empty label, no trailing dot)';
  }
  if (/^[0-9]+$/.test(rest[rest.length - 1] ?? '')) return 'an IP address is not a DNS name';
  return undefined;
}

/** Quoted, escaped and cut short: the name came from a caller and goes into logs. */
function quote(name: string): string {
  const text = String(name);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);
}

function invalid(message: string): DriverError {
  return new DriverError(message, false);
}
