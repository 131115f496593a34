import { DriverError } from '../contract.js';

/**
 * What a zone, record or host name may be here. Stricter than the DNS itself (which allows any
 * octet in a label): only what host names and service labels use, so that every name we store
 * encodes to the wire unambiguously (dns2 splits on dots and writes each character as one octet)
 * and compares case-insensitively by lower-casing. Names are kept in lower case.
 */

/** RFC 1035: 253 characters in text form without the trailing dot (255 octets on the wire). */
export const MAX_NAME_LENGTH = 253;

// Host names (zones, name servers): letters, digits, inner hyphens, 1-63 characters.
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// Owner names and alias targets may also carry underscores: "_acme-challenge", "_dmarc".
const SERVICE_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** The zone apex as a record name. */
export const APEX = '@';
export const WILDCARD = '*';

/** A zone name in lower case ("acme.matih.localhost"), or a permanent DriverError. */
export function normalizeZoneName(zone: unknown): string {
  const problem = problemWithName(zone, HOST_LABEL, false);
  if (problem !== undefined) throw invalid(`invalid zone name ${quote(zone)}: ${problem}`);
  return (zone as string).toLowerCase();
}

/**
 * A record name relative to `zone` in lower case: '@' for the apex, '*' or '*.sub' for a
 * wildcard, 'api', '_acme-challenge.api'. Its absolute form must fit the length limit too.
 */
export function normalizeRecordName(name: unknown, zone: string): string {
  if (name === APEX) return APEX;
  const problem = problemWithName(name, SERVICE_LABEL, true);
  if (problem !== undefined) throw invalid(`invalid record name ${quote(name)} in zone ${zone}: ${problem}`);
  const relative = (name as string).toLowerCase();
  if (absoluteName(relative, zone).length > MAX_NAME_LENGTH) {
    throw invalid(`record name ${quote(name)} in zone ${zone} is longer than ${MAX_NAME_LENGTH} characters in all`);
  }
  return relative;
}

/** A host name an NS record or the SOA points at (no wildcard, no underscore), in lower case. */
export function normalizeHostName(value: unknown, what: string): string {
  const problem = problemWithName(value, HOST_LABEL, false);
  if (problem !== undefined) throw invalid(`invalid ${what} ${quote(value)}: ${problem}`);
  return (value as string).toLowerCase();
}

/** A CNAME target: any domain name of service labels (no wildcard), in lower case. */
export function normalizeTargetName(value: unknown, what: string): string {
  const problem = problemWithName(value, SERVICE_LABEL, false);
  if (problem !== undefined) throw invalid(`invalid ${what} ${quote(value)}: ${problem}`);
  return (value as string).toLowerCase();
}

export function absoluteName(relative: string, zone: string): string {
  return relative === APEX ? zone : `${relative}.${zone}`;
}

/** `name` relative to `zone` ('@' for the apex), or undefined when it is not at or under it. */
export function relativeName(name: string, zone: string): string | undefined {
  if (name === zone) return APEX;
  return name.endsWith(`.${zone}`) ? name.slice(0, -(zone.length + 1)) : undefined;
}

/**
 * The relative names from just under the apex down to `relative` itself:
 * "x.y.api" gives ["api", "y.api", "x.y.api"]. Empty for the apex.
 */
export function pathFromApex(relative: string): string[] {
  if (relative === APEX) return [];
  const labels = relative.split('.');
  return labels.map((_, i) => labels.slice(labels.length - 1 - i).join('.'));
}

/** True when `name` lies strictly below `ancestor` (both relative; '@' is above everything). */
export function isBelow(name: string, ancestor: string): boolean {
  if (name === APEX) return false;
  return ancestor === APEX || name.endsWith(`.${ancestor}`);
}

/** ASCII-only lower case: DNS compares letters case-insensitively and every other octet exactly. */
export function lowerAscii(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function problemWithName(name: unknown, label: RegExp, wildcardAllowed: boolean): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'empty or not a string';
  if (name.length > MAX_NAME_LENGTH) return `longer than ${MAX_NAME_LENGTH} characters`;
  if (name.endsWith('.')) return 'names are written without the trailing dot';
  const labels = name.toLowerCase().split('.');
  if (labels.some((l, i) => l.includes(WILDCARD) && (i > 0 || l !== WILDCARD))) return "a wildcard '*' may only be the whole first label";
  if (labels[0] === WILDCARD && !wildcardAllowed) return 'a wildcard is not allowed here';
  const named = labels[0] === WILDCARD ? labels.slice(1) : labels;
  if (named.some((l) => !label.test(l))) return labelRule(label);
  return undefined;
}

function labelRule(label: RegExp): string {
  const characters = label === HOST_LABEL ? 'letters, digits or inner hyphens' : 'letters, digits, underscores or inner hyphens';
  return `each label must be 1-63 ${characters} (no empty label)`;
}

/** Quoted, escaped and cut short: the name came from a caller and goes into errors and logs. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);
}

export function invalid(message: string): DriverError {
  return new DriverError(message, false);
}
