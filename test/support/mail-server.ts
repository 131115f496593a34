import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  envelopeTo: string[];
  parsed: ParsedMail;
}

/** An SMTP server on loopback that accepts and keeps every message (plain SMTP, no auth). */
export class MailCatcher {
  readonly mails: CaughtMail[] = [];
  port = 0;
  private readonly server = new SMTPServer({
    authOptional: true,
    // Without STARTTLS nodemailer does not try the server's self-signed certificate.
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, session, callback) => {
      simpleParser(stream)
        .then((parsed) => {
          this.mails.push({ envelopeTo: session.envelope.rcptTo.map((a) => a.address), parsed });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  /** Messages to `address`, one per Message-ID (a redelivered event repeats its Message-ID). */
  to(address: string): CaughtMail[] {
    const seen = new Set<string>();
    return this.mails.filter((m) => {
      if (!m.envelopeTo.includes(address)) return false;
      const id = m.parsed.messageId ?? '';
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
