import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJobEnd } from '../support/provisioning.js';
import { type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp } from '../support/test-app.js';

/**
 * Issue 16 defect 1: an open progress stream lasts no longer than its credential. Sockets opened
 * with an API key, a JWT and a second key: revoking the second key ends its stream, suspending the
 * tenant ends the others, and a token's stream ends when the token expires, each within about a
 * second, with close code 4401.
 */
function streamsOf(options: Parameters<typeof startTestApp>[0]) {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp(options);
    base = (await t.app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws');
  });
  afterAll(async () => {
    await t.close();
  });
  const post = (url: string, payload: Record<string, unknown>, headers: Record<string, string> = adminAuth) => t.app.inject({ method: 'POST', url, headers, payload });
  return {
    app: () => t,
    post,
    tokenFor: async (key: string) => (await post('/api/v1/auth/token', { apiKey: key }, {})).json<{ accessToken: string }>().accessToken,
    /** A socket, the messages it got, and when and how it closed. */
    stream: (tenantId: string, token: string) => stream(base, tenantId, token),
  };
}

function stream(base: string, tenantId: string, token: string) {
    const ws = new WebSocket(`${base}/ws/provisioning/${tenantId}`, [], { headers: bearer(token) });
    const messages: { type: string; code?: string; message?: string }[] = [];
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as { type: string }));
    const opened = new Promise<void>((resolve) => ws.on('message', () => resolve()));
    const closed = new Promise<{ code: number; at: number }>((resolve) => ws.on('close', (code) => resolve({ code, at: Date.now() })));
    return { ws, messages, opened, closed };
}

describe('progress streams end with their credential: revocation and suspension', () => {
  const { app, post, tokenFor, stream } = streamsOf({ engine: { delayMs: 1 } });

  it('revoking a key ends its stream; suspending the tenant ends every other one', async () => {
    const t = app();
    const tenant = await createTenantViaApi(t.app, { tier: 'FREE' });
    expect((await waitForJobEnd(t.app, tenant.id, 60_000)).job.status).toBe('SUCCEEDED');
    const second = (await post(`/api/v1/tenants/${tenant.id}/api-keys`, { name: 'second', role: 'Viewer' })).json<{ id: string; key: string }>();
    const jwt = await tokenFor(tenant.initialApiKey.key);
    const streams = { key: stream(tenant.id, tenant.initialApiKey.key), jwt: stream(tenant.id, jwt), second: stream(tenant.id, second.key) };
    await Promise.all(Object.values(streams).map((s) => s.opened));

    const revokedAt = Date.now();
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/tenants/${tenant.id}/api-keys/${second.id}`, headers: adminAuth })).statusCode).toBe(200);
    const ended = await streams.second.closed;
    expect(ended.code).toBe(4401);
    expect(ended.at - revokedAt).toBeLessThan(2_500);
    expect(streams.second.messages.at(-1)).toMatchObject({ type: 'error', code: 'unauthenticated' });
    expect(streams.key.ws.readyState).toBe(WebSocket.OPEN);

    const suspendedAt = Date.now();
    expect((await post(`/api/v1/tenants/${tenant.id}/suspend`, { reason: 'unpaid' })).statusCode).toBe(202);
    for (const s of [streams.key, streams.jwt]) {
      const { code, at } = await s.closed;
      expect(code).toBe(4401);
      expect(at - suspendedAt).toBeLessThan(2_500);
      expect(s.messages.at(-1)?.message).toMatch(/suspended|revoked/);
    }
  });

});

describe('progress streams end with their credential: expiry', () => {
  const { app, tokenFor, stream } = streamsOf({ jwtTtlSeconds: 3 });

  it("a token's stream ends when the token expires", async () => {
    const tenant = await createTenantViaApi(app().app, { tier: 'FREE' });
    const jwt = await tokenFor(tenant.initialApiKey.key);
    const issuedAt = Date.now();
    const s = stream(tenant.id, jwt);
    await s.opened;
    const { code, at } = await s.closed;
    expect(code).toBe(4401);
    // The token lives 3 s (to the second); the stream ends then, not at the next poll of a long one.
    expect(at - issuedAt).toBeGreaterThan(1_500);
    expect(at - issuedAt).toBeLessThan(4_500);
    expect(s.messages.at(-1)).toMatchObject({ type: 'error', message: 'the token has expired' });
  });
});
