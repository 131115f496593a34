import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CloudEvent, EventType, toCloudEvent } from '../../src/domain/events.js';
import { newId } from '../../src/domain/ids.js';
import { DriverError } from '../../src/drivers/contract.js';
import { NotificationSink } from '../../src/drivers/notify/notification-sink.js';
import { SmtpNotifier } from '../../src/drivers/notify/smtp-notifier.js';
import { OutboxRelay } from '../../src/engine/outbox-relay.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import { insertOutboxEvents, makeAllDue, undeliveredCount } from '../support/outbox.js';

const logger = pino({ level: 'silent' });
const FROM = 'MATIH <matih@control-plane.test>';

interface Mail {
  envelopeTo: string[];
  parsed: ParsedMail;
}

/** An SMTP server on loopback that keeps every message; `reject` answers RCPT TO with an error. */
class MailServer {
  readonly mails: Mail[] = [];
  reject: { code: number; message: string } | undefined;
  port = 0;
  private readonly server = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: without STARTTLS nodemailer does not try the server's self-signed certificate.
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo: (_address, _session, callback) => {
      if (!this.reject) return callback();
      callback(Object.assign(new Error(this.reject.message), { responseCode: this.reject.code }));
    },
    onData: (stream, session, callback) => {
      simpleParser(stream)
        .then((parsed) => {
          this.mails.push({ envelopeTo: session.envelope.rcptTo.map((a) => a.address), parsed });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function cloudEvent(type: string, tenantId: string, data: Record<string, unknown>): CloudEvent {
  return toCloudEvent({ id: '1', eventId: newId(), aggregateType: 'tenant', aggregateId: tenantId, type, payload: data, createdAt: new Date(), attempts: 0 });
}

function provisioned(tenantId: string): CloudEvent {
  // As the engine writes it: the admin's address inside the tenant record.
  return cloudEvent(EventType.TENANT_PROVISIONED, tenantId, {
    tenant: { id: tenantId, name: 'Acme Corporation', slug: 'acme', adminEmail: 'admin@acme.test', status: 'ACTIVE' },
    jobId: newId(),
  });
}

function failed(tenantId: string): CloudEvent {
  return cloudEvent(EventType.PROVISIONING_FAILED, tenantId, {
    tenantId, slug: 'acme', adminEmail: 'admin@acme.test', reason: 'quota exceeded in eastus', failedStep: 'CREATE_NAMESPACE',
  });
}

describe('SMTP notifications to the tenant admin', () => {
  let server: MailServer;
  let notifier: SmtpNotifier;
  let sink: NotificationSink;

  beforeEach(async () => {
    server = new MailServer();
    await server.listen();
    notifier = new SmtpNotifier({ url: `smtp://127.0.0.1:${server.port}`, from: FROM, timeoutMs: 5000 });
    sink = new NotificationSink(notifier, logger);
  });
  afterEach(async () => {
    notifier.close();
    await server.close();
  });

  it('emails the admin when provisioning completes and when it fails, with the reason', async () => {
    const tenantId = newId();
    const ready = provisioned(tenantId);
    const failure = failed(tenantId);
    await sink.deliver(ready);
    await sink.deliver(failure);

    expect(server.mails).toHaveLength(2);
    const [first, second] = server.mails;
    expect(first?.envelopeTo).toEqual(['admin@acme.test']);
    expect(first?.parsed.to).toMatchObject({ text: 'admin@acme.test' });
    expect(first?.parsed.from).toMatchObject({ value: [{ address: 'matih@control-plane.test', name: 'MATIH' }] });
    expect(first?.parsed.subject).toBe('[MATIH] Tenant Acme Corporation (acme) is ready');
    expect(first?.parsed.text).toContain(tenantId);
    expect(first?.parsed.messageId).toBe(`<${ready.id}@matih.events>`);
    expect(first?.parsed.headers.get('x-matih-event-id')).toBe(ready.id);

    expect(second?.envelopeTo).toEqual(['admin@acme.test']);
    expect(second?.parsed.subject).toBe('[MATIH] Provisioning of tenant acme failed');
    expect(second?.parsed.text).toContain('Reason: quota exceeded in eastus');
    expect(second?.parsed.text).toContain('at step CREATE_NAMESPACE');
    expect(second?.parsed.messageId).toBe(`<${failure.id}@matih.events>`);
  });

  it('sends nothing for other events or for an event that names no admin', async () => {
    await sink.deliver(cloudEvent(EventType.TENANT_CREATED, newId(), { adminEmail: 'admin@acme.test' }));
    await sink.deliver(cloudEvent(EventType.PROVISIONING_FAILED, newId(), { reason: 'x' }));
    expect(server.mails).toEqual([]);
  });

  it('reports a 5xx refusal as permanent and an unreachable server as retryable', async () => {
    server.reject = { code: 550, message: 'no such mailbox' };
    const refused = await sink.deliver(failed(newId())).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DriverError);
    expect(refused).toMatchObject({ retryable: false });
    expect((refused as Error).message).toContain('no such mailbox');

    server.reject = { code: 451, message: 'try again later' };
    expect(await sink.deliver(failed(newId())).catch((e: unknown) => e)).toMatchObject({ retryable: true });

    await server.close();
    const unreachable = await sink.deliver(failed(newId())).catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(DriverError);
    expect(unreachable).toMatchObject({ retryable: true });
  });
});

describe('admin notifications through the outbox relay', () => {
  let database: TestDatabase;
  let server: MailServer;
  let notifier: SmtpNotifier;

  beforeAll(async () => {
    database = await openTestDatabase();
    server = new MailServer();
    await server.listen();
    notifier = new SmtpNotifier({ url: `smtp://127.0.0.1:${server.port}`, from: FROM, timeoutMs: 5000 });
  });
  afterAll(async () => {
    notifier.close();
    await server.close();
    await database.close();
  });

  it('retries while the mail server defers and emails the admin once it accepts', async () => {
    const tenantId = newId();
    const [eventId] = await insertOutboxEvents(
      database.db,
      tenantId,
      1,
      () => ({ tenantId, slug: 'globex', adminEmail: 'ops@globex.test', reason: 'DNS zone could not be created', failedStep: 'CREATE_DNS_ZONE' }),
      EventType.PROVISIONING_FAILED,
    );
    const relay = new OutboxRelay({ db: database.db, sinks: [new NotificationSink(notifier, logger)], logger, backoff: { baseMs: 10, capMs: 10 } });

    server.reject = { code: 451, message: 'greylisted, try again later' };
    expect(await relay.drainOnce()).toBe(0);
    const row = await database.db.selectFrom('outbox').select(['attempts', 'lastError']).where('eventId', '=', eventId ?? '').executeTakeFirstOrThrow();
    expect(row.attempts).toBe(1);
    expect(row.lastError).toContain('greylisted');

    server.reject = undefined;
    await makeAllDue(database.db);
    expect(await relay.drainOnce()).toBe(1);
    expect(await undeliveredCount(database.db)).toBe(0);
    const mails = server.mails.filter((m) => m.parsed.messageId === `<${eventId}@matih.events>`);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.envelopeTo).toEqual(['ops@globex.test']);
    expect(mails[0]?.parsed.text).toContain('DNS zone could not be created');
  });
});
