import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/build-server.js';
import { PROGRESS_LISTENER_APPLICATION } from '../../src/store/engine/progress-listener.js';
import { openDatabase } from '../../src/store/open-database.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import { type Message, connect } from '../support/progress-socket.js';
import { history, waitForJobEnd } from '../support/provisioning.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { type TestApp, adminAuth, createTenantViaApi, startTestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Issue 17 item 4: progress reaches the WebSocket clients of every replica by NOTIFY, read once per
 * tenant for all its sockets. Two replicas on one database: jobs run on replica A only (the only
 * engine); the sockets are on replica B, whose safety check is set to ten minutes, so every
 * transition they get within the test came through NOTIFY or the catch-up after a lost LISTEN
 * session. Replica B's listener reaches the database through a TCP proxy the test can cut.
 */
describe('live progress fan-out across replicas', () => {
  let shared: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let streams: FastifyInstance;
  let proxy: TcpProxy;
  let base: string;

  beforeAll(async () => {
    shared = await openTestDatabase();
    a = await startTestApp({ database: shared, engine: { delayMs: 100, owner: 'replica-a' } });
    const direct = new URL(shared.url);
    proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
    const proxied = new URL(shared.url);
    proxied.port = String(await proxy.start());
    // Replica B: a pool of its own on the same database (closed, not dropped, with its app), its
    // LISTEN session through the proxy, no engine.
    const own = openDatabase({ url: shared.url, kind: 'external', poolSize: 10 });
    b = await startTestApp({ database: { ...own, url: proxied.toString() } });
    streams = await buildServer({ ...b.deps, progressCheckMs: 600_000 });
    base = (await streams.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws');
  });
  afterAll(async () => {
    await streams?.close();
    await b?.close();
    await a?.close();
    await proxy?.close();
  });

  const watch = (tenantId: string, since?: number) =>
    connect(`${base}/ws/provisioning/${tenantId}${since === undefined ? '' : `?since=${since}`}`, { headers: adminAuth });
  const seqs = (messages: Message[]) => messages.filter((m) => m.type === 'transition').map((m) => m.seq!);
  const ended = (m: Message) => m.type === 'status' && m.status?.status === 'ACTIVE' && m.status.progress === 100;
  const listenerSessions = async () =>
    (
      await sql<{ pid: number }>`select pid from pg_stat_activity where application_name = ${PROGRESS_LISTENER_APPLICATION} and datname = current_database()`.execute(
        shared.db,
      )
    ).rows.map((r) => r.pid);

  it('sockets on replica B follow a job running on replica A, those joining mid-way included, each transition once and in order', async () => {
    const tenant = await createTenantViaApi(a.app);
    const first = watch(tenant.id, 0);
    await first.until((m) => (m.seq ?? 0) >= 6);
    // Joining while the job runs: from the start, from where it stands, and from a sequence of their own.
    const late = watch(tenant.id, 0);
    const fromNow = watch(tenant.id);
    const fromThree = watch(tenant.id, 3);
    const all = [first, late, fromNow, fromThree];
    await Promise.all(all.map((s) => s.until(ended)));
    for (const s of all) s.ws.close();

    const full = (await history(a.app, tenant.id)).map((e) => e.seq);
    expect(full.length).toBeGreaterThan(10);
    expect(seqs(first.messages)).toEqual(full);
    expect(seqs(late.messages)).toEqual(full);
    expect(seqs(fromThree.messages)).toEqual(full.filter((seq) => seq > 3));
    const joinedAt = fromNow.messages[0]?.status?.lastSequence ?? -1;
    expect(seqs(fromNow.messages)).toEqual(full.filter((seq) => seq > joinedAt));
    for (const s of all) expect(s.messages.at(-1)).toMatchObject({ type: 'status', status: { status: 'ACTIVE', progress: 100 } });
  });

  it('a lost LISTEN session costs nothing: terminated mid-job, then away while the job ends, every transition arrives once and in order', async () => {
    const tenant = await createTenantViaApi(a.app);
    const s = watch(tenant.id, 0);
    await s.until((m) => (m.seq ?? 0) >= 4);

    const before = await listenerSessions();
    expect(before).toHaveLength(1);
    await sql`select pg_terminate_backend(${before[0]!})`.execute(shared.db);
    // Reconnected (a session of another backend), and the stream goes on.
    await waitFor(async () => ((await listenerSessions()).some((pid) => pid !== before[0]) ? true : undefined), 20_000, 'the listener to reconnect');
    const resumedFrom = Math.max(...seqs(s.messages));
    await s.until((m) => (m.seq ?? 0) > resumedFrom);

    // Away for the rest of the job: nothing is heard, and the catch-up after the reconnect sends it all.
    await proxy.cut();
    await waitForJobEnd(a.app, tenant.id, 60_000);
    const full = (await history(a.app, tenant.id)).map((e) => e.seq);
    expect(seqs(s.messages).length).toBeLessThan(full.length);
    await proxy.restore();
    await s.until(ended);
    s.ws.close();
    expect(seqs(s.messages)).toEqual(full);
  });
});
