import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { createServerDatabase, dropServerDatabase } from '../support/databases.js';
import { ServiceProcesses } from '../support/service-process.js';

/**
 * How the Helm chart deploys the control plane (deploy/helm/matih-control-plane: two replicas on
 * one PostgreSQL, migrations at each start): two real service processes started at the same
 * moment on a fresh, empty database. Both must come up ready, and every migration must be applied
 * once, by one of them, the other waiting on the advisory lock (src/store/migrate.ts).
 */

const processes = new ServiceProcesses();
afterAll(async () => {
  await processes.cleanup();
});

interface LogLine {
  msg?: string;
  applied?: number[];
}

/** The versions a process says it applied ("database migrations applied"; nothing logged when none). */
function appliedBy(stdout: string): number[] {
  const lines = stdout.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
  return lines.filter((l) => l.msg === 'database migrations applied').flatMap((l) => l.applied ?? []);
}

describe('two replicas starting together on an empty database', () => {
  it('both become ready, and each migration is applied exactly once between them', async () => {
    const url = await createServerDatabase();
    try {
      // What the chart gives every replica: the same database, sealing key and bootstrap token.
      const env = { DATABASE_URL: url, MATIH_SECRET_KEY: Buffer.alloc(32, 9).toString('base64'), MATIH_BOOTSTRAP_TOKEN: 'mtb_replicas-first-start-token-0123' };
      const replicas = await Promise.all([processes.spawn({ env }), processes.spawn({ env })]);
      // Two processes compiling the service at once (tsx) on a busy machine: more than one start's time.
      await Promise.all(replicas.map((r) => r.waitUntilReady(120_000)));

      const applied = replicas.map((r) => appliedBy(r.stdout()));
      expect(applied.flat().sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.version));
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const rows = await client.query<{ version: number }>('select version from schema_migrations order by version');
        expect(rows.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      } finally {
        await client.end();
      }
      for (const replica of replicas) {
        const ready = await fetch(`${replica.tenantUrl}/ready`);
        expect(await ready.json()).toMatchObject({ status: 'UP', migrations: 'applied' });
      }
      await Promise.all(replicas.map((r) => r.stop()));
    } finally {
      await processes.killAll();
      await dropServerDatabase(url);
    }
  }, 200_000);
});
