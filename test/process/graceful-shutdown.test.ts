import net from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createServerDatabase, dropServerDatabase } from '../support/databases.js';
import { createTenants, expectAllActive, expectAppliedOnce, readiness } from '../support/process-tenants.js';
import { httpJson, ServiceProcesses } from '../support/service-process.js';
import { tenantBody } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * SIGTERM as Kubernetes sends it to a replica of the chart's Deployment: readiness fails first,
 * requests in flight are answered, the running step finishes (or is aborted after half the grace)
 * and the job is handed back so that another replica takes it at its next poll, not when the
 * lease would have run out.
 */

const TOKEN = 'mtb_graceful-shutdown-token-0123456789';
const KEY = Buffer.alloc(32, 5).toString('base64');

const processes = new ServiceProcesses();
const databases: string[] = [];
afterEach(async () => {
  await processes.killAll();
});
afterAll(async () => {
  await processes.cleanup();
  for (const url of databases) await dropServerDatabase(url);
});

interface JobRow {
  id: string;
  status: string;
  lease_owner: string | null;
  current_step: string | null;
}

async function jobOf(client: pg.Client, tenantId: string): Promise<JobRow> {
  const { rows } = await client.query<JobRow>(
    'select id, status, lease_owner, current_step from tenant_provisioning_jobs where tenant_id = $1 order by created_at desc limit 1',
    [tenantId],
  );
  if (!rows[0]) throw new Error(`no job for ${tenantId}`);
  return rows[0];
}

/** The worker's lease owner is `<host>:<pid>:<random>`: which process holds a job. */
function heldBy(job: JobRow, pid: number): boolean {
  return job.lease_owner?.split(':')[1] === String(pid);
}

describe('graceful shutdown', () => {
  it('two replicas: the one stopped with SIGTERM mid-step hands its job over, and the other continues it at once', async () => {
    const url = await createServerDatabase();
    databases.push(url);
    const env = {
      DATABASE_URL: url,
      MATIH_SECRET_KEY: KEY,
      MATIH_BOOTSTRAP_TOKEN: TOKEN,
      // Each simulated cluster operation takes a second, so SIGTERM finds a step in flight.
      MATIH_SIM_DELAY_MS: '1000',
      // Two minutes: a job left to its lease would sit that long. The handover must not wait for it.
      MATIH_LEASE_S: '120',
      MATIH_POLL_MS: '200',
      // A second for the step in flight to finish, then it is aborted.
      MATIH_SHUTDOWN_GRACE_MS: '2000',
      MATIH_LOG_LEVEL: 'info',
    };
    const replicas = await Promise.all([processes.start({ env }), processes.start({ env })]);
    const [tenantId] = await createTenants(replicas[0], TOKEN, 1);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // Whichever replica claimed the job, once it is past the synchronous steps, is stopped.
      const claimed = await waitFor(async () => {
        const job = await jobOf(client, tenantId!);
        return replicas.some((r) => heldBy(job, r.pid)) && job.current_step !== 'CREATE_CONTROL_PLANE_RECORDS' ? job : undefined;
      }, 60_000, 'a replica to run the job');
      const [first, second] = heldBy(claimed, replicas[0].pid) ? [replicas[0], replicas[1]] : [replicas[1], replicas[0]];

      const stoppedAt = { ms: 0 };
      const exit = first.stop('SIGTERM').then((result) => {
        stoppedAt.ms = Date.now();
        return result;
      });
      const result = await exit;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('handed running jobs back');

      // The lease was handed back, not left to expire: the second replica holds the job within
      // a few polls of the first one's exit, two minutes before the lease would have run out.
      const taken = await waitFor(async () => {
        const job = await jobOf(client, tenantId!);
        return heldBy(job, second.pid) || job.status === 'SUCCEEDED' ? Date.now() : undefined;
      }, 20_000, 'the second replica to take the job');
      expect(taken - stoppedAt.ms, `taken over ${taken - stoppedAt.ms} ms after the first replica exited`).toBeLessThan(10_000);
      expect(claimed.id).toBe((await jobOf(client, tenantId!)).id);

      await expectAllActive(second, TOKEN, [tenantId!]);
      // Resumed at its step (not restarted), and each object applied once in all.
      await expectAppliedOnce(url, 1, { resumed: true });
      expect((await second.stop()).code).toBe(0);
    } finally {
      await client.end();
    }
  }, 240_000);

  it('on SIGTERM /ready fails at once, /health stays up, and requests keep being answered until the listeners close', async () => {
    const service = await processes.start({
      env: { MATIH_BOOTSTRAP_TOKEN: TOKEN, MATIH_WORKER_CONCURRENCY: '0', MATIH_SHUTDOWN_DELAY_MS: '4000', MATIH_LOG_LEVEL: 'info' },
    });
    expect(await readiness(service)).toBe(200);
    const port = Number(new URL(service.tenantUrl).port);

    // A request in flight when SIGTERM comes: headers sent, the body not yet.
    const body = Buffer.from(JSON.stringify(tenantBody()));
    const inFlight = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => inFlight.once('connect', resolve).once('error', reject));
    const answer = new Promise<string>((resolve) => {
      let text = '';
      inFlight.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      inFlight.on('close', () => resolve(text));
    });
    inFlight.write(
      `POST /api/v1/tenants HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );

    const exit = service.stop('SIGTERM');
    await waitFor(async () => ((await readiness(service)) === 503 ? true : undefined), 10_000, '/ready to answer 503');
    const ready = await fetch(`${service.tenantUrl}/ready`);
    expect(await ready.json()).toMatchObject({ status: 'DRAINING' });
    expect((await fetch(`${service.tenantUrl}/health`)).status).toBe(200);
    // Still serving during the delay: a new request is answered.
    const created = await httpJson<{ id: string }>(`${service.tenantUrl}/api/v1/tenants`, { method: 'POST', token: TOKEN, body: tenantBody() });
    expect(created.status).toBe(201);

    // After the delay the listener is closed to new connections; the request in flight is answered.
    await waitFor(async () => ((await readiness(service)) === 0 ? true : undefined), 15_000, 'the listener to close');
    // Not end(): a client half-closing its side makes Node abort the request it has not answered.
    inFlight.write(body);
    const result = await exit;
    expect(await answer, result.stdout).toMatch(/^HTTP\/1\.1 201 /);
    expect(result.code, result.stderr).toBe(0);
  }, 120_000);
});
