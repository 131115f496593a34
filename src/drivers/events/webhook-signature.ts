import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks signatures (standardwebhooks.com, "Signature scheme"), so that receivers
 * verify deliveries with any Standard Webhooks library (`standardwebhooks` on npm, `svix`, the
 * Python, Go, Java... ones) instead of code written for us.
 *
 * What is signed is `{webhook-id}.{webhook-timestamp}.{body}`: the id, so a receiver's
 * deduplication key cannot be swapped; the timestamp (unix seconds of the attempt, not of the
 * event), so a captured request cannot be replayed later (receivers refuse timestamps more than
 * 5 minutes off); the body byte for byte.
 */
export function signWebhook(key: Uint8Array, id: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64')}`;
}

/**
 * The `webhook-signature` header: one `v1,` signature per key, newest key first, separated by a
 * space. During a rotation both the new and the old key sign, and a receiver holding either
 * secret finds a signature it can verify.
 */
export function webhookSignatureHeader(keys: readonly Uint8Array[], id: string, timestampSeconds: number, body: string): string {
  return keys.map((key) => signWebhook(key, id, timestampSeconds, body)).join(' ');
}

/** The `webhook-id` must hold no `.`, which would make the signed content ambiguous; event ids are UUIDs. */
export function isValidWebhookId(id: string): boolean {
  return /^[^.\s]{1,255}$/.test(id);
}
