import type { Logger } from 'pino';
import { ADMIN_NOTIFIED_EVENTS, type CloudEvent } from '../../domain/events.js';
import type { EventSink, Notifier } from '../contract.js';
import { adminNotification } from './admin-notification.js';

/**
 * Tells the tenant admin when provisioning completes or fails (spec/003, spec/004): an event
 * sink, so notifications ride the outbox and get its guarantees (sent at least once, after the
 * change committed, retried while the mail server is down). Events outside
 * ADMIN_NOTIFIED_EVENTS pass through untouched.
 */
export class NotificationSink implements EventSink {
  readonly name = 'notify';

  constructor(
    private readonly notifier: Notifier,
    private readonly logger: Logger,
  ) {}

  async deliver(event: CloudEvent, signal?: AbortSignal): Promise<void> {
    if (!ADMIN_NOTIFIED_EVENTS.has(event.type)) return;
    const message = adminNotification(event);
    if (!message) {
      // No retry can add a recipient to a stored event, and throwing would hold back every later
      // event of the tenant for good: skip the email, and say so loudly.
      this.logger.error({ eventId: event.id, eventType: event.type, subject: event.subject }, 'notification skipped: the event names no adminEmail');
      return;
    }
    await this.notifier.notify(message, signal);
  }
}
