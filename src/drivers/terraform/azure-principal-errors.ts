import { isTransientStatus } from '../http-failures.js';

/**
 * How Entra ID and Resource Manager answers map onto "invalid" (permanent: fix the credentials or
 * the role assignment) and "could not ask" (retryable). Kept apart from the network code so the
 * mapping is tested on its own.
 */

// AADSTS90033: "A transient error has occurred" - the service, not the credentials.
const TRANSIENT_AADSTS = new Set(['90033']);

export interface TokenVerdict {
  retryable: boolean;
  reason: string;
}

/** A failed token request: `AADSTSnnnn` codes are Entra ID's verdict on the credentials; no code means it was not reached. */
export function classifyTokenError(message: string): TokenVerdict {
  const code = /AADSTS(\d+)/.exec(message)?.[1];
  const description = /Description: (.*?)(?: - Correlation ID| - Trace ID|$)/s.exec(message)?.[1]?.trim();
  const reason = (description ?? message).replace(/\s+/g, ' ').slice(0, 300);
  if (code !== undefined) return { retryable: TRANSIENT_AADSTS.has(code) || /transient error|try again later/i.test(reason), reason };
  if (/invalid_client|unauthorized_client|invalid_request|invalid_scope|invalid_grant/i.test(message)) return { retryable: false, reason };
  // network_error, timeouts, 5xx, throttling, or anything unclassified: asking again may work.
  return { retryable: true, reason };
}

export interface SubscriptionVerdict {
  valid: boolean;
  retryable: boolean;
  reason: string;
}

// Subscription states in which resources can still be created.
const USABLE_STATES = new Set(['Enabled', 'Warned', 'PastDue']);

/** The answer to GET /subscriptions/{id}: 200 with a usable state is valid; 401, 403, 404 invalid; 408, 429 and 5xx retryable. */
export function classifySubscriptionAnswer(status: number, body: unknown): SubscriptionVerdict {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if (status === 200) {
    const state = typeof record.state === 'string' ? record.state : 'unknown';
    return USABLE_STATES.has(state) ? { valid: true, retryable: false, reason: state } : { valid: false, retryable: false, reason: `the subscription is ${state}` };
  }
  const error = typeof record.error === 'object' && record.error !== null ? (record.error as Record<string, unknown>) : {};
  const code = typeof error.code === 'string' ? error.code : `HTTP ${status}`;
  if (isTransientStatus(status)) return { valid: false, retryable: true, reason: `${code} (${status})` };
  return { valid: false, retryable: false, reason: `${code} (${status})` };
}
