import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { history } from '../support/provisioning.js';
import { connect } from '../support/progress-socket.js';
import { BOOTSTRAP_TOKEN, type TestApp, createTenantViaApi, startTestApp } from '../support/test-app.js';

const admin = { authorization: `Bearer ${BOOTSTRAP_TOKEN}` };

describe('live provisioning progress over WebSocket', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp({ engine: { delayMs: 30 } });
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = address.replace('http', 'ws');
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends the status at connect, then every transition in order to the end', async () => {
    const created = await createTenantViaApi(t.app);
    const client = connect(`${base}/ws/provisioning/${created.id}?since=0`, { headers: admin });
    await client.until((m) => m.type === 'status' && m.status?.status === 'ACTIVE');
    client.ws.close();
    expect(client.messages[0]?.type).toBe('status');
    const transitions = client.messages.filter((m) => m.type === 'transition');
    expect(transitions.map((m) => m.seq)).toEqual(transitions.map((_, i) => i + 1));
    expect(transitions.map((m) => m.seq)).toEqual((await history(t.app, created.id)).map((e) => e.seq));
    const last = client.messages.at(-1);
    expect(last?.type).toBe('status');
    expect(last?.status).toMatchObject({ status: 'ACTIVE', progress: 100 });
  });

  it('a client that reconnects with the last sequence it saw misses nothing and sees nothing twice', async () => {
    const created = await createTenantViaApi(t.app);
    const first = connect(`${base}/ws/provisioning/${created.id}?since=0`, { headers: admin });
    const cut = await first.until((m) => m.type === 'transition' && (m.seq ?? 0) >= 8);
    first.ws.terminate();
    const seen = first.messages.filter((m) => m.type === 'transition').map((m) => m.seq!);
    const lastSeen = Math.max(...seen);
    expect(lastSeen).toBeGreaterThanOrEqual(cut.seq!);

    const second = connect(`${base}/ws/provisioning/${created.id}?since=${lastSeen}`, { headers: admin });
    await second.until((m) => m.trigger === 'job.succeeded');
    second.ws.close();
    const resumed = second.messages.filter((m) => m.type === 'transition').map((m) => m.seq!);
    expect([...seen, ...resumed]).toEqual((await history(t.app, created.id)).map((e) => e.seq));
  });

  it('authenticates like the REST API, by header or by the bearer subprotocol, with tenant scoping', async () => {
    const mine = await createTenantViaApi(t.app);
    const other = await createTenantViaApi(t.app);

    const anonymous = connect(`${base}/ws/provisioning/${mine.id}`);
    expect((await anonymous.closed).code).toBe(4401);
    expect(anonymous.messages).toEqual([expect.objectContaining({ type: 'error', code: 'unauthenticated' })]);
    const revoked = connect(`${base}/ws/provisioning/${mine.id}`, { headers: { authorization: 'Bearer mtk_nonsense' } });
    expect((await revoked.closed).code).toBe(4401);

    const byProtocol = connect(`${base}/ws/provisioning/${mine.id}`, { protocols: ['matih.v1', `bearer.${mine.initialApiKey.key}`] });
    const status = await byProtocol.until((m) => m.type === 'status');
    expect(status.status?.status).toBeDefined();
    expect(byProtocol.ws.protocol).toBe('matih.v1');
    byProtocol.ws.close();

    const foreign = connect(`${base}/ws/provisioning/${other.id}`, { headers: { authorization: `Bearer ${mine.initialApiKey.key}` } });
    expect((await foreign.closed).code).toBe(4404);
  });
});
