import type { Logger } from 'pino';
import type { CloudEvent } from '../../domain/events.js';
import type { EventSink } from '../contract.js';

/**
 * The default sink: one info line per event. Only the envelope's identity is logged, never
 * `data`, which may carry personal data (the admin's email) and grows with every new event type.
 */
export class LogSink implements EventSink {
  readonly name = 'log';

  constructor(private readonly logger: Logger) {}

  async deliver(event: CloudEvent): Promise<void> {
    this.logger.info({ eventId: event.id, eventType: event.type, subject: event.subject, time: event.time }, `event ${event.type}`);
  }
}
