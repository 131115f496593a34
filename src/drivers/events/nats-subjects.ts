/**
 * NATS subject and stream names. A subject is dot-separated tokens; a token may not be empty nor
 * hold whitespace or the wildcards `*` and `>`. The config checks the prefix and the stream name
 * with the same patterns (config/ may not import drivers/, so it repeats them).
 */
export const NATS_SUBJECT_PREFIX_PATTERN = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
export const NATS_STREAM_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `{prefix}.{event type}`. The type's dots stay token separators, so consumers can subscribe to
 * `matih.events.tenant.>`; any other character outside [A-Za-z0-9_-] becomes `_` and an empty
 * token becomes `_`, so no event type can make an invalid subject or inject a wildcard. Two odd
 * types may then share a subject; consumers tell them apart by ce-type, which is never mapped.
 */
export function natsSubjectFor(prefix: string, eventType: string): string {
  const tokens = eventType.split('.').map((token) => token.replace(/[^A-Za-z0-9_-]/g, '_') || '_');
  return `${prefix}.${tokens.join('.')}`;
}

/** The filter a stream needs to capture every event subject under `prefix`. */
export function streamSubjectFor(prefix: string): string {
  return `${prefix}.>`;
}

/**
 * Whether a stream's subject filter captures every subject under `prefix.` (e.g. `matih.>` or
 * `matih.*.>` do for `matih.events`; `matih.events.*` does not: event types have several tokens).
 */
export function filterCapturesPrefix(filter: string, prefix: string): boolean {
  const filterTokens = filter.split('.');
  const prefixTokens = prefix.split('.');
  for (const [i, token] of filterTokens.entries()) {
    // `>` matches one or more tokens, and every event subject has at least one after the prefix.
    if (token === '>') return true;
    const wanted = prefixTokens[i];
    if (wanted === undefined || (token !== '*' && token !== wanted)) return false;
  }
  return false;
}
