import type { Logger } from 'pino';
import type { NotificationMessage, Notifier } from '../contract.js';

/** The default notifier: the message goes to the log, so a laptop run shows what would be sent. */
export class LogNotifier implements Notifier {
  constructor(private readonly logger: Logger) {}

  async notify(message: NotificationMessage): Promise<void> {
    this.logger.info(
      { notification: { to: message.to, subject: message.subject, eventId: message.eventId }, text: message.text },
      `notification to ${message.to}: ${message.subject}`,
    );
  }
}
