import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.js';
import { openDatabase } from '../../src/store/open-database.js';
import { BACKENDS, createServerDatabase, dropServerDatabase } from '../support/databases.js';
import { type ServiceProcess, ServiceProcesses, httpJson } from '../support/service-process.js';
import { tenantBody } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

const TOKEN = 'crash-test-bootstrap-token-0123456789';
const TENANTS = 5;
const KILLS = 3;

interface Status {
  status: string;
  job: { status: string };
  steps: { name: string; status: string }[];
}

async function completedSteps(service: ServiceProcess, ids: string[]): Promise<number> {
  let total = 0;
  for (const id of ids) {
    const res = await httpJson<Status>(`${service.tenantUrl}/api/v1/tenants/${id}/provisioning/status`, { token: TOKEN });
    total += res.body.steps.filter((s) => s.status === 'COMPLETED').length;
  }
  return total;
}

describe.each(BACKENDS)('kill -9 during provisioning on %s', (backend) => {
  const procs = new ServiceProcesses();
  let serverUrl: string | undefined;
  afterAll(async () => {
    await procs.cleanup();
    if (serverUrl) await dropServerDatabase(serverUrl);
  });

  it(`every tenant reaches ACTIVE after ${KILLS} SIGKILLs mid-step, each side effect applied exactly once`, async () => {
    const dataDir = await procs.tempDir();
    if (backend === 'postgres') serverUrl = await createServerDatabase();
    const env = {
      MATIH_BOOTSTRAP_TOKEN: TOKEN,
      MATIH_SIM_DELAY_MS: '200',
      // On a shared server a dead process's lease must run out before another takes the job.
      MATIH_LEASE_S: '2',
      MATIH_POLL_MS: '100',
      MATIH_LOG_LEVEL: 'warn',
      ...(serverUrl ? { DATABASE_URL: serverUrl } : {}),
    };
    let service = await procs.start({ dataDir, env });
    const ids: string[] = [];
    for (let i = 0; i < TENANTS; i++) {
      const res = await httpJson<{ id: string }>(`${service.tenantUrl}/api/v1/tenants`, { method: 'POST', token: TOKEN, body: tenantBody() });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }

    // Kill at different points: a quarter, a half, three quarters of all steps completed.
    const first = await httpJson<Status>(`${service.tenantUrl}/api/v1/tenants/${ids[0]!}/provisioning/status`, { token: TOKEN });
    const allSteps = first.body.steps.length * TENANTS;
    let last = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      const target = Math.max(last + 1, Math.floor((allSteps * kill) / (KILLS + 1)));
      last = await waitFor(async () => {
        const n = await completedSteps(service, ids);
        return n >= target ? n : undefined;
      }, 60_000, `${target} completed steps`);
      const result = await service.kill();
      expect(result.signal).toBe('SIGKILL');
      service = await procs.start({ dataDir, env });
    }

    await waitFor(
      async () => {
        for (const id of ids) {
          const res = await httpJson<Status>(`${service.tenantUrl}/api/v1/tenants/${id}/provisioning/status`, { token: TOKEN });
          if (res.body.status !== 'ACTIVE') return undefined;
        }
        return true;
      },
      90_000,
      'every tenant to be ACTIVE',
    );
    for (const id of ids) {
      const res = await httpJson<Status>(`${service.tenantUrl}/api/v1/tenants/${id}/provisioning/status`, { token: TOKEN });
      expect(res.body.job.status).toBe('SUCCEEDED');
      expect(res.body.steps.every((s) => s.status === 'COMPLETED')).toBe(true);
    }
    const stopped = await service.stop('SIGTERM');
    expect(stopped.code).toBe(0);

    // Read what the simulated cluster and the embedded DNS hold, from the service's own database.
    const database = await openDatabase(serverUrl ? { kind: 'postgres', url: serverUrl, poolSize: 2 } : { kind: 'pglite', dataDir });
    try {
      await migrate(database.db);
      // One child zone per tenant under the parent zone, each with its four A records.
      const zones = await database.db.selectFrom('dnsZones').select('name').execute();
      expect(zones.filter((z) => z.name.endsWith('.matih.localhost'))).toHaveLength(TENANTS);
      const aRecords = await database.db.selectFrom('dnsRecords').select('zone').where('type', '=', 'A').execute();
      expect(aRecords).toHaveLength(TENANTS * 4);
      const objects = await database.db.selectFrom('simObjects').select(['namespace', 'kind', 'name', 'applyCount']).execute();
      // Every tenant's namespace holds its objects (tenant-data-plane.test.ts counts them): 14 services, ingress-nginx, Prometheus, Grafana.
      expect(objects.filter((o) => o.kind === 'HelmRelease').length).toBe(TENANTS * 17);
      const twice = objects.filter((r) => r.applyCount !== 1);
      expect(twice).toEqual([]);
      const resumed = await database.db.selectFrom('provisioningAuditLogs').select('tenantId').where('trigger', '=', 'job.resumed').execute();
      // The kills did interrupt jobs, and they were resumed rather than restarted.
      expect(resumed.length).toBeGreaterThan(0);
      const started = await database.db.selectFrom('provisioningAuditLogs').select('tenantId').where('trigger', '=', 'job.started').execute();
      expect(started).toHaveLength(TENANTS);
    } finally {
      await database.close();
    }
  }, 240_000);
});
