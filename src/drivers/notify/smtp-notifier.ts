import { createTransport } from 'nodemailer';
import { DriverError, type NotificationMessage, type Notifier } from '../contract.js';

export interface SmtpNotifierOptions {
  /** smtp://user:pass@host:587 or smtps://host:465; nodemailer's URL options apply. */
  url: string;
  /** The From: address, e.g. `MATIH <matih@example.com>`. */
  from: string;
  /** Connecting, the greeting, and each wait on the server may take this long; default 10 s. */
  timeoutMs?: number;
}

/**
 * Sends notifications by SMTP through nodemailer. One connection per message (no pool): these
 * are a handful of emails per tenant lifetime, and no idle connection is left open to go stale.
 * The Message-ID is derived from the event id, so a redelivered event yields a message that
 * mail systems and readers can recognise as the same one.
 */
export class SmtpNotifier implements Notifier {
  private readonly transport: ReturnType<typeof createTransport>;
  private readonly from: string;

  constructor(options: SmtpNotifierOptions) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    this.transport = createTransport({
      url: options.url,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    this.from = options.from;
  }

  async notify(message: NotificationMessage, signal?: AbortSignal): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        messageId: `<${message.eventId}@matih.events>`,
        headers: { 'X-Matih-Event-Id': message.eventId },
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw new DriverError(`smtp: ${error instanceof Error ? error.message : String(error)}`, isRetryableSmtpError(error), { cause: error });
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** A 5xx reply (mailbox unknown, relaying denied) will not change on retry; the rest may. */
function isRetryableSmtpError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { responseCode?: unknown }).responseCode : undefined;
  return !(typeof code === 'number' && code >= 500 && code < 600);
}
