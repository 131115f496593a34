import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { CloudEvent } from '../../src/domain/events.js';

/**
 * How a receiver verifies deliveries: with the Standard Webhooks reference implementation (npm
 * `standardwebhooks`), never with our own code. A `whsec_` secret as the library takes it; a
 * legacy secret (no prefix) as its raw UTF-8 bytes, which the library takes with `format: 'raw'`.
 */
export function standardWebhook(secret: string): Webhook {
  return secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(Buffer.from(secret, 'utf8'), { format: 'raw' });
}

/** The library's verify, as a boolean: it throws on a bad signature or a timestamp more than 5 minutes off. */
export function verifiesWith(webhook: Webhook, body: string, headers: IncomingHttpHeaders): boolean {
  try {
    webhook.verify(body, {
      'webhook-id': first(headers['webhook-id']) ?? '',
      'webhook-timestamp': first(headers['webhook-timestamp']) ?? '',
      'webhook-signature': first(headers['webhook-signature']) ?? '',
    });
    return true;
  } catch {
    return false;
  }
}

export interface WebhookRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as the signature covers it. */
  body: string;
  /** The body parsed as a CloudEvent; undefined when it is not JSON. */
  event: CloudEvent | undefined;
  validSignature: boolean;
  /** What the receiver answered. */
  status: number;
}

/**
 * A webhook receiver on loopback, as a customer would run one: it verifies the Standard Webhooks
 * signature with its one secret (401 when wrong), answers `status` otherwise (set 503 to refuse),
 * and keeps every request.
 * close() and listen(port) take it down and bring it back on the same port.
 */
export class WebhookReceiver {
  readonly requests: WebhookRequest[] = [];
  /** The answer to a correctly signed request. */
  status = 204;
  port = 0;
  private server: Server | undefined;
  private readonly webhook: Webhook;

  constructor(
    secret: string,
    readonly path = '/hook',
  ) {
    this.webhook = standardWebhook(secret);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}${this.path}`;
  }

  async listen(port = this.port): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const validSignature = verifiesWith(this.webhook, body, req.headers);
        const path = req.url ?? '';
        const status = path !== this.path ? 404 : validSignature ? this.status : 401;
        this.requests.push({ path, headers: req.headers, body, event: parse(body), validSignature, status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Stops listening and drops open connections, so senders see the receiver gone at once. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Requests about one CloudEvent subject (e.g. `tenant/<id>`), in arrival order. */
  requestsFor(subject: string): WebhookRequest[] {
    return this.requests.filter((r) => r.event?.subject === subject);
  }

  /**
   * The events accepted (answered 2xx), deduplicated by CloudEvent id as a receiver of an
   * at-least-once stream must, in the order of their first delivery; only `subject`'s if given.
   */
  delivered(subject?: string): CloudEvent[] {
    const seen = new Set<string>();
    const events: CloudEvent[] = [];
    for (const r of this.requests) {
      if (!r.event || r.status < 200 || r.status >= 300 || seen.has(r.event.id)) continue;
      if (subject !== undefined && r.event.subject !== subject) continue;
      seen.add(r.event.id);
      events.push(r.event);
    }
    return events;
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parse(body: string): CloudEvent | undefined {
  try {
    return JSON.parse(body) as CloudEvent;
  } catch {
    return undefined;
  }
}
