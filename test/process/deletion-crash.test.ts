import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServerDatabase, dropServerDatabase } from '../support/databases.js';
import { type ServiceProcess, ServiceProcesses, httpJson } from '../support/service-process.js';
import { tenantBody } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

const TOKEN = 'deletion-crash-bootstrap-token-0123456789';

interface Status {
  status: string;
  job: { id: string; kind: string; status: string };
  steps: { name: string; status: string; attempts: number }[];
}

const statusOf = (service: ServiceProcess, id: string) => httpJson<Status>(`${service.tenantUrl}/api/v1/tenants/${id}/provisioning/status`, { token: TOKEN });

/**
 * A deletion killed half-way (kill -9, between two teardown steps) resumes in the next process
 * and ends with everything gone and the archive whole; it is never shown ACTIVE again.
 */
describe.each(['embedded', 'external'] as const)('kill -9 during a deletion, database %s', (where) => {
  const procs = new ServiceProcesses();
  let serverUrl: string | undefined;
  afterAll(async () => {
    await procs.cleanup();
    if (serverUrl) await dropServerDatabase(serverUrl);
  });

  it('resumes at the step it was in and completes', async () => {
    const dataDir = await procs.tempDir();
    if (where === 'external') serverUrl = await createServerDatabase();
    const env = {
      MATIH_BOOTSTRAP_TOKEN: TOKEN,
      // DELETE_NAMESPACE fails once, then waits 5 s for its retry: the kill lands in that wait, with
      // the archive, the releases and the database already deleted.
      MATIH_SIM_FAULTS: 'DELETE_NAMESPACE=retryable:1',
      // The file store: its crash safety (write, flush, rename) is what this test reads back.
      MATIH_ARCHIVE_DIR: path.join(dataDir, 'archive'),
      MATIH_RETRY_BACKOFF: '5',
      MATIH_LEASE_S: '2',
      MATIH_POLL_MS: '100',
      MATIH_LOG_LEVEL: 'warn',
      ...(serverUrl ? { DATABASE_URL: serverUrl } : {}),
    };
    let service = await procs.start({ dataDir, env });
    const created = await httpJson<{ id: string; slug: string }>(`${service.tenantUrl}/api/v1/tenants`, { method: 'POST', token: TOKEN, body: tenantBody({ tier: 'PROFESSIONAL' }) });
    expect(created.status).toBe(201);
    const { id, slug } = created.body;
    await waitFor(async () => ((await statusOf(service, id)).body.status === 'ACTIVE' ? true : undefined), 60_000, 'ACTIVE');

    const code = await httpJson<{ confirmationCode: string }>(`${service.tenantUrl}/api/v1/tenants/${id}/deletion-requests`, { method: 'POST', token: TOKEN });
    expect(code.status).toBe(201);
    const started = await httpJson(`${service.tenantUrl}/api/v1/tenants/${id}`, { method: 'DELETE', token: TOKEN, body: { confirmationCode: code.body.confirmationCode } });
    expect(started.status).toBe(202);
    const midway = await waitFor(async () => {
      const s = (await statusOf(service, id)).body;
      const namespace = s.steps.find((step) => step.name === 'DELETE_NAMESPACE');
      return namespace?.attempts === 1 && namespace.status !== 'COMPLETED' ? s : undefined;
    }, 30_000, 'the first DELETE_NAMESPACE attempt to fail');
    expect(midway.status).toBe('DELETING');
    expect(midway.steps.filter((s) => s.status === 'COMPLETED').map((s) => s.name)).toEqual(['ARCHIVE_AUDIT_LOGS', 'DELETE_HELM_RELEASES', 'DELETE_TENANT_DATABASE']);
    expect((await service.kill()).signal).toBe('SIGKILL');

    // The next process: the same deletion, shown DELETING (never ACTIVE), picked up where it stopped.
    service = await procs.start({ dataDir, env: { ...env, MATIH_SIM_FAULTS: '' } });
    // (A slow start may find the backoff over and the deletion already done.)
    expect(['DELETING', 'DELETED']).toContain((await statusOf(service, id)).body.status);
    // It waits out its backoff, then resumes.
    await waitFor(async () => ((await statusOf(service, id)).body.status === 'DELETED' ? true : undefined), 60_000, 'DELETED');
    const done = (await statusOf(service, id)).body;
    expect(done.job).toMatchObject({ kind: 'DELETE', status: 'SUCCEEDED' });
    // What was done before the kill was not done again.
    const attempts = Object.fromEntries(done.steps.map((s) => [s.name, s.attempts]));
    expect(attempts).toMatchObject({ ARCHIVE_AUDIT_LOGS: 1, DELETE_HELM_RELEASES: 1, DELETE_TENANT_DATABASE: 1 });
    expect(attempts.DELETE_NAMESPACE).toBeGreaterThanOrEqual(2);

    // Nothing of the tenant left in the simulated cluster, and the archive intact.
    const objects = await httpJson<{ items: unknown[] }>(`${service.tenantUrl}/api/v1/sim/objects?namespace=matih-${slug}`, { token: TOKEN });
    expect(objects.status).toBe(200);
    expect(objects.body.items).toEqual([]);
    const archiveDir = path.join(dataDir, 'archive', 'tenants', id);
    const files = await readdir(archiveDir);
    const jsonl = files.filter((f) => f.endsWith('.jsonl'));
    expect(jsonl).toHaveLength(1);
    const bytes = await readFile(path.join(archiveDir, jsonl[0]!));
    const recorded = (await readFile(path.join(archiveDir, `${jsonl[0]!}.sha256`), 'utf8')).split(/\s+/)[0];
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(recorded);
    expect((await service.stop('SIGTERM')).code).toBe(0);
  }, 180_000);
});
