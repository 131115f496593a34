import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, buildEngine } from '../../src/app.js';
import { CLOUD_PROVIDERS } from '../../src/domain/cloud.js';
import { validateNewTenant } from '../../src/domain/tenant-validation.js';
import { generateApiKey } from '../../src/iam/api-key-format.js';
import { migrate } from '../../src/store/migrate.js';
import { type Database, openDatabase } from '../../src/store/open-database.js';
import { createTenant } from '../../src/store/tenants/create-tenant.js';
import { createServerDatabase, dropServerDatabase } from '../support/databases.js';
import { engineConfig, tenantBody } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

const TENANTS = 100;

describe('two replicas sharing one PostgreSQL server', () => {
  let url: string;
  const replicas: { database: Database; engine: Engine }[] = [];

  beforeAll(async () => {
    url = await createServerDatabase();
    for (const owner of ['replica-a', 'replica-b']) {
      // Each replica has its own pool and its own workers, exactly as two processes would.
      const database = openDatabase({ kind: 'external', url, poolSize: 6 });
      await migrate(database.db);
      const engine = await buildEngine(database.db, engineConfig({ delayMs: 5, concurrency: 4, leaseMs: 5000, owner }, { url }), pino({ level: 'silent' }), { owner });
      replicas.push({ database, engine });
    }
  });

  afterAll(async () => {
    for (const r of replicas) {
      await r.engine.stop();
      await r.database.close();
    }
    await dropServerDatabase(url);
  });

  it(`provision ${TENANTS} tenants together: all ACTIVE, never two workers on one tenant, work split`, async () => {
    const db = replicas[0]!.database.db;
    for (let i = 0; i < TENANTS; i++) {
      const key = generateApiKey();
      await createTenant(db, {
        tenant: validateNewTenant(tenantBody() as never, { enabledCloudProviders: CLOUD_PROVIDERS }),
        actor: 'test',
        apiKey: { id: key.id, secretHash: key.secretHash },
      });
    }
    for (const r of replicas) r.engine.worker.start();

    await waitFor(
      async () => {
        const rows = await db.selectFrom('tenants').select('status').where('status', '=', 'ACTIVE').execute();
        return rows.length === TENANTS ? true : undefined;
      },
      120_000,
      'every tenant to be ACTIVE',
    );

    // Never concurrently: per tenant, the step transitions alternate started X / completed X,
    // and no resource was applied twice (two workers on one step would both apply).
    const audit = await db
      .selectFrom('provisioningAuditLogs')
      .select(['tenantId', 'seq', 'trigger', 'step', 'actor'])
      .where('trigger', 'in', ['step.started', 'step.completed'])
      .orderBy('tenantId')
      .orderBy('seq')
      .execute();
    const byTenant = new Map<string, typeof audit>();
    for (const row of audit) byTenant.set(row.tenantId, [...(byTenant.get(row.tenantId) ?? []), row]);
    expect(byTenant.size).toBe(TENANTS);
    for (const rows of byTenant.values()) {
      for (let i = 0; i < rows.length; i += 2) {
        expect(rows[i]?.trigger).toBe('step.started');
        expect(rows[i + 1]).toMatchObject({ trigger: 'step.completed', step: rows[i]?.step });
      }
    }
    // Exactly once: no object of the simulated cluster was applied twice.
    const applied = await db.selectFrom('simObjects').select(({ fn }) => fn.max('applyCount').as('max')).executeTakeFirstOrThrow();
    expect(Number(applied.max)).toBe(1);
    for (const r of replicas) expect(r.engine.faults.concurrentStepViolations).toBe(0);

    // Work split: both replicas ran jobs, and both appear as actors in the history.
    const [a, b] = replicas.map((r) => r.engine.worker.jobsRun);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(new Set(audit.map((r) => r.actor))).toEqual(new Set(['replica-a', 'replica-b']));
    console.log(`jobs run: replica-a ${a}, replica-b ${b}`);
  }, 180_000);
});
