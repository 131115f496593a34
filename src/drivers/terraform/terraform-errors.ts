import { DriverError } from '../contract.js';
import type { TerraformDiagnostic } from './terraform-messages.js';

/**
 * Terraform failures that a later attempt can get past: the state is locked by another run,
 * the state backend or the cloud API did not answer or throttled, or the saved plan went stale
 * because the state moved. Everything else (invalid configuration, quota, authorization, a name
 * already taken) fails the same way again and is permanent.
 */
const TRANSIENT = [
  /error acquiring the state lock/i,
  /state (is )?(already )?locked/i,
  /lock(ed)? by another/i,
  /saved plan is stale/i,
  /failed to (load|save|persist|refresh|read|write) (the )?state/i,
  /error (loading|saving|uploading|refreshing) state/i,
  /failed to get existing workspaces/i,
  /connection (refused|reset)/i,
  /i\/o timeout|timed? ?out|deadline exceeded/i,
  /no such host|network is unreachable|dial tcp|tls handshake/i,
  /\bEOF\b/,
  /temporar(y|ily)|try again/i,
  /too many requests|throttl|rate limit/i,
  /\b(429|500|502|503|504)\b/,
  /service ?unavailable|internal ?server ?error|bad gateway|gateway timeout/i,
  /retryable ?error/i,
];

/** Authorization problems mention status codes and words that would otherwise look transient. */
const PERMANENT = [/\b(401|403)\b/, /unauthori[sz]ed|forbidden|authorizationfailed|requires auth/i];

export function isTransientText(text: string): boolean {
  if (PERMANENT.some((p) => p.test(text))) return false;
  return TRANSIENT.some((p) => p.test(text));
}

const MAX_DETAIL = 400;

/** "summary: detail (address)" on one line, shortened: what the step's error and the status API show. */
export function describeDiagnostic(d: TerraformDiagnostic): string {
  const detail = (d.detail ?? '').replace(/\s+/g, ' ').trim();
  const shortDetail = detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}...` : detail;
  return `${d.summary}${shortDetail ? `: ${shortDetail}` : ''}${d.address ? ` (${d.address})` : ''}`;
}

/**
 * The error of a failed Terraform command: its error diagnostics when it reported any, else the
 * tail of what it printed on stderr. Retryable only when every reason is transient: one
 * permanent problem is reason enough not to try the same thing again.
 */
export function terraformError(command: string, diagnostics: readonly TerraformDiagnostic[], fallback: string): DriverError {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    const retryable = errors.every((d) => isTransientText(`${d.summary} ${d.detail ?? ''}`));
    return new DriverError(`terraform ${command} failed: ${errors.map(describeDiagnostic).join('; ')}`, retryable);
  }
  const text = fallback.replace(/\s+/g, ' ').trim();
  const tail = text.length > MAX_DETAIL ? `...${text.slice(-MAX_DETAIL)}` : text;
  return new DriverError(`terraform ${command} failed: ${tail || 'no diagnostic'}`, isTransientText(text));
}
