import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServerDatabase, dropServerDatabase } from '../support/databases.js';
import { postmastersOn } from '../support/postgres-processes.js';
import { createTenants, expectAllActive, expectAppliedOnce, statusOf, untilCompleted } from '../support/process-tenants.js';
import { ServiceProcesses } from '../support/service-process.js';

const TOKEN = 'crash-test-bootstrap-token-0123456789';
const TENANTS = 5;
const KILLS = 3;

/**
 * kill -9 of the service mid-provisioning, on its embedded server (which outlives the process and
 * is adopted by the next start) and on a server of its own (DATABASE_URL).
 */
describe.each(['embedded', 'external'] as const)('kill -9 during provisioning, database %s', (where) => {
  const procs = new ServiceProcesses();
  let serverUrl: string | undefined;
  afterAll(async () => {
    await procs.cleanup();
    if (serverUrl) await dropServerDatabase(serverUrl);
  });

  it(`every tenant reaches ACTIVE after ${KILLS} SIGKILLs mid-step, each side effect applied exactly once`, async () => {
    const dataDir = await procs.tempDir();
    if (where === 'external') serverUrl = await createServerDatabase();
    const env = {
      MATIH_BOOTSTRAP_TOKEN: TOKEN,
      MATIH_SIM_DELAY_MS: '200',
      // On a shared server a dead process's lease must run out before another takes the job.
      MATIH_LEASE_S: '2',
      MATIH_POLL_MS: '100',
      MATIH_LOG_LEVEL: 'info',
      ...(serverUrl ? { DATABASE_URL: serverUrl } : {}),
    };
    let service = await procs.start({ dataDir, env });
    const ids = await createTenants(service, TOKEN, TENANTS);
    const pgdata = path.join(dataDir, 'postgres');

    // Kill at different points: a quarter, a half, three quarters of all steps completed.
    const allSteps = (await statusOf(service, TOKEN, ids[0]!)).steps.length * TENANTS;
    let last = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      last = await untilCompleted(service, TOKEN, ids, Math.max(last + 1, Math.floor((allSteps * kill) / (KILLS + 1))));
      const result = await service.kill();
      expect(result.signal).toBe('SIGKILL');
      // Only the Node process died: its PostgreSQL still runs, and the next start adopts it.
      if (where === 'embedded') expect(postmastersOn(pgdata)).toHaveLength(1);
      service = await procs.start({ dataDir, env });
      if (where === 'embedded') expect(service.stdout()).toContain('adopted it');
    }

    await expectAllActive(service, TOKEN, ids);
    const databaseUrl = serverUrl ?? (await fs.readFile(path.join(dataDir, 'postgres.url'), 'utf8')).trim();
    await expectAppliedOnce(databaseUrl, TENANTS, { resumed: true });
    if (where === 'embedded') expect(postmastersOn(pgdata)).toHaveLength(1);
    const stopped = await service.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    // A clean stop takes its server with it.
    expect(postmastersOn(pgdata)).toEqual([]);
  }, 240_000);
});
