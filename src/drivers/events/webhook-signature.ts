import { createHmac, timingSafeEqual } from 'node:crypto';

/** How old a signed request may be before a receiver refuses it as a possible replay. */
export const DEFAULT_SIGNATURE_TOLERANCE_S = 300;

/**
 * The value of x-matih-signature: `sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>`.
 * The timestamp is inside the MAC so that a captured request cannot be replayed later with a
 * fresh timestamp (the scheme Stripe and Slack use).
 */
export function signWebhookPayload(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface VerifyOptions {
  /** Refuse requests signed longer ago (or further ahead) than this; default 300 s. */
  toleranceSeconds?: number;
  /** Unix seconds; for tests. */
  nowSeconds?: number;
}

/**
 * For receivers: true when `header` (x-matih-signature) is the signature of `body` (the raw
 * request body, byte for byte as received) at `timestamp` (x-matih-timestamp) with `secret`, and
 * the timestamp is within the tolerance. The comparison takes constant time. A valid signature
 * does not make a request new: a redelivery carries the same x-matih-event-id, dedupe by it.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | number | undefined,
  body: string,
  header: string | undefined,
  options: VerifyOptions = {},
): boolean {
  if (timestamp === undefined || header === undefined) return false;
  const ts = String(timestamp);
  if (!/^\d{1,12}$/.test(ts)) return false;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(ts)) > (options.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_S)) return false;
  const expected = Buffer.from(signWebhookPayload(secret, ts, body));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
