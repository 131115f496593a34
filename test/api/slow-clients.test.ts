import { type Socket, connect } from 'node:net';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP_TOKEN, type TestApp, createTenantViaApi, startTestApp } from '../support/test-app.js';

/**
 * Issue 16 defect 5: slow clients. A request whose headers or body trickle in is cut off after
 * MATIH_REQUEST_TIMEOUT_S (here 2 s), authenticated or not; connections beyond
 * MATIH_MAX_CONNECTIONS are closed at once; a WebSocket stream is not a slow request and stays.
 */
describe('slow and greedy clients', () => {
  let t: TestApp;
  let port: number;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    t = await startTestApp({ requestTimeoutMs: 2_000, maxConnections: 6 });
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = Number(new URL(address).port);
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await t.close();
  });

  /** A raw connection that records what it received and when it was closed. */
  function raw() {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString()));
    socket.on('error', () => undefined);
    const connected = new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    return { socket, connected, closed, received: () => received };
  }
  /** Sends `body` one byte every `everyMs` after headers that announce all of it. */
  function trickle(client: ReturnType<typeof raw>, headers: Record<string, string>, body: string, everyMs: number) {
    const head = Object.entries({ host: 'x', 'content-type': 'application/json', 'content-length': String(body.length), ...headers })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    client.socket.write(`POST /api/v1/tenants HTTP/1.1\r\n${head}\r\n`);
    let i = 0;
    const timer = setInterval(() => {
      if (i >= body.length || client.socket.destroyed) return clearInterval(timer);
      client.socket.write(body[i++]!);
    }, everyMs);
    void client.closed.then(() => clearInterval(timer));
  }

  it('cuts off a body that trickles in, with or without credentials, after the request timeout', async () => {
    const body = JSON.stringify({ name: 'Slow', slug: 'slow', tier: 'FREE', adminEmail: 'a@slow.example.com', region: 'eastus', cloudProvider: 'AZURE' });
    const anonymous = raw();
    const admin = raw();
    await Promise.all([anonymous.connected, admin.connected]);
    const started = Date.now();
    trickle(anonymous, {}, body, 300);
    trickle(admin, { authorization: `Bearer ${BOOTSTRAP_TOKEN}` }, body, 300);
    for (const client of [anonymous, admin]) {
      const at = await client.closed;
      // Two seconds, checked every second; the body would have taken 40 s.
      expect(at - started).toBeLessThan(5_000);
    }
    // Without credentials the answer comes before the body is read; with them, the body never completes.
    expect(anonymous.received()).toMatch(/^HTTP\/1.1 401/);
    expect(admin.received()).toMatch(/^HTTP\/1.1 408/);
    // As the service's problem, with a code of the registry (Fastify's default was JSON of its own).
    expect(admin.received()).toContain('Content-Type: application/problem+json');
    expect(admin.received()).toContain('"code":"request_timeout"');
    // Nothing was created from the half body.
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/tenants?q=slow', headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` } });
    expect(list.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('cuts off headers that never end', async () => {
    const client = raw();
    await client.connected;
    const started = Date.now();
    client.socket.write('GET /health HTTP/1.1\r\nhost: x\r\n');
    const timer = setInterval(() => client.socket.write('x-slow: 1\r\n'), 300);
    const at = await client.closed;
    clearInterval(timer);
    expect(at - started).toBeLessThan(5_000);
  });

  it('closes connections beyond the cap at once and serves the others', async () => {
    const held = Array.from({ length: 6 }, () => raw());
    await Promise.all(held.map((c) => c.connected));
    // Let the server see them all before the next one.
    await new Promise((r) => setTimeout(r, 200));
    const extra = raw();
    const closedAt = await Promise.race([extra.closed, new Promise<number>((r) => setTimeout(() => r(-1), 1_500))]);
    expect(closedAt).toBeGreaterThan(0);
    expect(extra.received()).toBe('');
    // A held connection still gets its answer.
    held[0]!.socket.write('GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    await held[0]!.closed;
    expect(held[0]!.received()).toMatch(/^HTTP\/1.1 200/);
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
  });

  it('keeps a WebSocket progress stream open past the request timeout', async () => {
    const tenant = await createTenantViaApi(t.app);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/provisioning/${tenant.id}`, [], { headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` } });
    let closed = false;
    ws.on('close', () => (closed = true));
    await new Promise<void>((resolve) => ws.once('message', () => resolve()));
    await new Promise((r) => setTimeout(r, 3_500));
    expect(closed).toBe(false);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });
});
