import type { Logger } from 'pino';
import type { CloudEvent } from '../../domain/events.js';
import { MAX_WEBHOOK_SECRETS, decodeWebhookSecret } from '../../domain/webhook-secrets.js';
import { DriverError, type EventSink } from '../contract.js';
import { isValidWebhookId, webhookSignatureHeader } from './webhook-signature.js';
import { describeNetworkError, isTransientStatus } from '../http-failures.js';

export interface WebhookSinkOptions {
  url: string;
  /**
   * The endpoint's signing secrets, newest first: one, or two during a rotation (both sign).
   * Each is `whsec_<base64 key>` or a legacy secret used as its UTF-8 bytes (checked by the config).
   */
  secrets: readonly string[];
  /** In logs and in the outbox's last_error; default `webhook` (the first endpoint), then `webhook-2`... */
  name?: string;
  logger: Logger;
  /** One POST may take this long; default 10 s. */
  timeoutMs?: number;
  /** Milliseconds since the epoch, for the webhook-timestamp; tests move it. */
  now?: () => number;
}

/**
 * POSTs each event as a structured CloudEvent to one URL, signed the Standard Webhooks way (see
 * webhook-signature.ts): `webhook-id` is the event id, the same on every retry, so receivers
 * deduplicate by it; `webhook-timestamp` is the time of this attempt; `webhook-signature` has one
 * `v1,` signature per secret. A 2xx answer is delivery; anything else throws and the relay
 * retries with backoff.
 *
 * Every failure is retryable, 4xx included. A 4xx other than 408/429 means the receiver refuses
 * this request, which for a signed webhook almost always means a configuration mistake on one
 * side (wrong secret, wrong path, a receiver not yet upgraded to a new event type) that a person
 * will fix. Treating it as permanent would have to drop the event, breaking at-least-once, or
 * skip it, breaking the per-tenant order; retrying costs one request per backoff period (at most
 * every 5 minutes). So it stays retryable but is logged as an error, loudly, on every attempt.
 * Redirects are not followed: fetch would turn the POST into a GET and lose the body.
 *
 * The keys are held in a private field: logging the sink, or an error about it, shows no secret.
 */
export class WebhookSink implements EventSink {
  readonly name: string;
  private readonly url: string;
  readonly #keys: readonly Buffer[];
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  /** For messages and logs: the URL's path or query may carry a token, its host does not. */
  private readonly receiver: string;

  constructor(options: WebhookSinkOptions) {
    this.name = options.name ?? 'webhook';
    this.url = options.url;
    this.#keys = decodeKeys(this.name, options.secrets);
    this.logger = options.logger;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.receiver = new URL(options.url).host;
  }

  async deliver(event: CloudEvent, signal?: AbortSignal): Promise<void> {
    const body = JSON.stringify(event);
    if (!isValidWebhookId(event.id)) throw new DriverError(`webhook ${this.receiver}: event id is not a valid webhook-id`, false);
    const timestamp = Math.floor(this.now() / 1000);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/cloudevents+json',
          'webhook-id': event.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': webhookSignatureHeader(this.#keys, event.id, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      const reason = timeout.aborted ? `no answer within ${this.timeoutMs} ms` : describeNetworkError(error);
      throw new DriverError(`webhook ${this.receiver}: ${reason}`, true, { cause: error });
    }
    // Read the answer fully so the connection can be reused; a receiver's reason helps the operator.
    const answer = await response.text().catch(() => '');
    if (response.status >= 200 && response.status < 300) return;

    const message = `webhook ${this.receiver} answered ${response.status}`;
    if (isTransientStatus(response.status)) {
      this.logger.warn({ sink: this.name, eventId: event.id, eventType: event.type, status: response.status }, `${message}; will retry`);
    } else {
      this.logger.error(
        { sink: this.name, eventId: event.id, eventType: event.type, status: response.status, answer: answer.slice(0, 500) },
        `${message}: the receiver refuses the event (check the URL, the signing secret and the receiver's clock); retrying it, and later events of this tenant wait`,
      );
    }
    throw new DriverError(message, true);
  }
}

/** loadConfig refuses bad secrets already; this guards sinks built by hand, and never quotes a secret. */
function decodeKeys(name: string, secrets: readonly string[]): Buffer[] {
  if (secrets.length === 0 || secrets.length > MAX_WEBHOOK_SECRETS) {
    throw new Error(`${name}: needs 1 to ${MAX_WEBHOOK_SECRETS} signing secrets, not ${secrets.length}`);
  }
  return secrets.map((secret, i) => {
    const decoded = decodeWebhookSecret(secret);
    if (decoded.problem !== undefined) throw new Error(`${name}: signing secret ${i + 1} ${decoded.problem}`);
    return decoded.key;
  });
}
