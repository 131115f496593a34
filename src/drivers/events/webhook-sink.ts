import type { Logger } from 'pino';
import type { CloudEvent } from '../../domain/events.js';
import { DriverError, type EventSink } from '../contract.js';
import { signWebhookPayload } from './webhook-signature.js';
import { describeNetworkError, isTransientStatus } from '../http-failures.js';

export { verifyWebhookSignature } from './webhook-signature.js';

export interface WebhookSinkOptions {
  url: string;
  /** HMAC key shared with the receiver; at least 16 characters (checked by the config). */
  secret: string;
  logger: Logger;
  /** One POST may take this long; default 10 s. */
  timeoutMs?: number;
}

/**
 * POSTs each event as a structured CloudEvent to one URL, signed with HMAC-SHA256 (see
 * webhook-signature.ts). A 2xx answer is delivery; anything else throws and the relay retries
 * with backoff.
 *
 * Every failure is retryable, 4xx included. A 4xx other than 408/429 means the receiver refuses
 * this request, which for a signed webhook almost always means a configuration mistake on one
 * side (wrong secret, wrong path, a receiver not yet upgraded to a new event type) that a person
 * will fix. Treating it as permanent would have to drop the event, breaking at-least-once, or
 * skip it, breaking the per-tenant order; retrying costs one request per backoff period (at most
 * every 5 minutes). So it stays retryable but is logged as an error, loudly, on every attempt.
 * Redirects are not followed: fetch would turn the POST into a GET and lose the body.
 */
export class WebhookSink implements EventSink {
  readonly name = 'webhook';
  private readonly url: string;
  private readonly secret: string;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  /** For messages and logs: the URL's path or query may carry a token, its host does not. */
  private readonly receiver: string;

  constructor(options: WebhookSinkOptions) {
    this.url = options.url;
    this.secret = options.secret;
    this.logger = options.logger;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.receiver = new URL(options.url).host;
  }

  async deliver(event: CloudEvent, signal?: AbortSignal): Promise<void> {
    const body = JSON.stringify(event);
    const timestamp = Math.floor(Date.now() / 1000);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/cloudevents+json',
          'x-matih-event-id': event.id,
          'x-matih-timestamp': String(timestamp),
          'x-matih-signature': signWebhookPayload(this.secret, timestamp, body),
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
      this.logger.warn({ eventId: event.id, eventType: event.type, status: response.status }, `${message}; will retry`);
    } else {
      this.logger.error(
        { eventId: event.id, eventType: event.type, status: response.status, answer: answer.slice(0, 500) },
        `${message}: the receiver refuses the event (check the URL and the shared secret); retrying it, and later events of this tenant wait`,
      );
    }
    throw new DriverError(message, true);
  }
}
