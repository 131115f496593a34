import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StateRequest {
  method: string;
  path: string;
  /** The Basic credentials the client sent, decoded ("user:password"), if any. */
  auth?: string;
}

/**
 * Terraform's HTTP state backend protocol, served on loopback for tests: GET/POST/DELETE the state
 * at a path, LOCK/UNLOCK it at the same path (423 Locked with the holder's lock info while held).
 * Keeps every request so a test can check what Terraform asked for, and in what order.
 */
export class TerraformStateServer {
  readonly states = new Map<string, string>();
  readonly locks = new Map<string, { ID: string; Who?: string; Operation?: string }>();
  readonly requests: StateRequest[] = [];
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The stored state of a key, parsed; undefined when none. */
  state(key: string): { serial: number; resources: { type: string; name: string }[]; outputs: Record<string, unknown> } | undefined {
    const text = this.states.get(`/${key}`);
    return text === undefined ? undefined : (JSON.parse(text) as ReturnType<TerraformStateServer['state']>);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const header = req.headers.authorization;
    const auth = header?.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : undefined;
    this.requests.push({ method: req.method ?? '', path: url.pathname, ...(auth !== undefined ? { auth } : {}) });
    const key = url.pathname;
    switch (req.method) {
      case 'GET': {
        const state = this.states.get(key);
        if (state === undefined) return end(res, 404);
        return end(res, 200, state);
      }
      case 'POST': {
        const held = this.locks.get(key);
        // A write under a lock names it (?ID=): a writer without the lock is turned away.
        if (held && url.searchParams.get('ID') !== held.ID) return end(res, 409, JSON.stringify(held));
        this.states.set(key, body);
        return end(res, 200);
      }
      case 'DELETE':
        this.states.delete(key);
        return end(res, 200);
      case 'LOCK': {
        const held = this.locks.get(key);
        if (held) return end(res, 423, JSON.stringify(held));
        this.locks.set(key, JSON.parse(body) as { ID: string });
        return end(res, 200);
      }
      case 'UNLOCK':
        this.locks.delete(key);
        return end(res, 200);
      default:
        return end(res, 405);
    }
  }
}

function end(res: ServerResponse, status: number, body?: string): void {
  res.writeHead(status, body ? { 'content-type': 'application/json' } : {});
  res.end(body);
}
