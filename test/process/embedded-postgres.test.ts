import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { postmastersOn, postgresProcessesOf } from '../support/postgres-processes.js';
import { createTenants, expectAllActive, expectAppliedOnce, readinessAround, untilCompleted } from '../support/process-tenants.js';
import { ServiceProcesses } from '../support/service-process.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The embedded PostgreSQL server as an operator meets it: where it is, who owns it, what a stop
 * leaves behind, and what the service does when the server dies under it.
 */
const TOKEN = 'embedded-postgres-bootstrap-token-0123456789';
const processes = new ServiceProcesses();
afterEach(async () => {
  await processes.killAll();
});
afterAll(async () => {
  await processes.cleanup();
});

async function query<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

describe('the embedded PostgreSQL server', { timeout: 180_000 }, () => {
  it('is initialised at first start under the data directory, private, and named in the log; SIGTERM stops it with the service', async () => {
    const service = await processes.start({ env: { MATIH_BOOTSTRAP_TOKEN: TOKEN, MATIH_WORKER_CONCURRENCY: '0' } });
    const pgdata = path.join(service.dataDir, 'postgres');
    const urlFile = path.join(service.dataDir, 'postgres.url');
    for (const file of [urlFile, path.join(service.dataDir, 'postgres.password')]) expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const url = (await fs.readFile(urlFile, 'utf8')).trim();
    const password = (await fs.readFile(path.join(service.dataDir, 'postgres.password'), 'utf8')).trim();
    expect(new URL(url).hostname).toBe('127.0.0.1');

    // What `psql "$(cat .matih/postgres.url)"` shows an operator.
    const [server] = await query<{ dir: string; version: string; listen: string }>(
      url,
      "select current_setting('data_directory') as dir, version() as version, current_setting('listen_addresses') as listen",
    );
    expect(server?.dir).toBe(pgdata);
    expect(server?.version).toMatch(/^PostgreSQL 18\./);
    expect(server?.listen).toBe('127.0.0.1');
    const stat = await fs.stat(pgdata);
    expect(stat.mode & 0o777).toBe(0o700);
    if (process.getuid?.() === 0) {
      // PostgreSQL refuses root: as root it runs as an unprivileged user of its own.
      expect(stat.uid).not.toBe(0);
      const [owner] = await query<{ user: string }>(url, "select pg_get_userbyid(datdba) as user from pg_database where datname = 'postgres'");
      expect(owner?.user).toBe('postgres');
    }
    // The log says where the server is and how to reach it, and never prints the password.
    const started = service.stdout().split('\n').find((line) => line.includes('embedded PostgreSQL started'));
    expect(started).toContain(pgdata);
    expect(started).toContain(urlFile);
    expect(service.stdout() + service.stderr()).not.toContain(password);

    const [postmaster] = postmastersOn(pgdata);
    expect(postmaster).toBeDefined();
    const exit = await service.stop('SIGTERM');
    expect(exit.code).toBe(0);
    expect(postmastersOn(pgdata)).toEqual([]);
    expect(postgresProcessesOf(postmaster!)).toEqual([]);
    await expect(fs.access(path.join(pgdata, 'postmaster.pid'))).rejects.toThrow();

    // A warm start finds the cluster and keeps the connection string.
    const again = await processes.start({ dataDir: service.dataDir, env: { MATIH_BOOTSTRAP_TOKEN: TOKEN, MATIH_WORKER_CONCURRENCY: '0' } });
    expect(again.stdout()).not.toContain('initialised');
    expect((await fs.readFile(urlFile, 'utf8')).trim()).toBe(url);
    expect((await again.stop()).code).toBe(0);
  });

  it('is restarted when it dies under the running service: not ready meanwhile, then ready, and provisioning resumes', async () => {
    const env = { MATIH_BOOTSTRAP_TOKEN: TOKEN, MATIH_SIM_DELAY_MS: '200', MATIH_POLL_MS: '100', MATIH_RETRY_BACKOFF: '1', MATIH_MAX_RETRIES: '10' };
    const service = await processes.start({ env });
    const pgdata = path.join(service.dataDir, 'postgres');
    const ids = await createTenants(service, TOKEN, 4);
    await untilCompleted(service, TOKEN, ids, 12);

    const [postmaster] = postmastersOn(pgdata);
    const seen = await readinessAround(service, async () => {
      process.kill(postmaster!, 'SIGKILL');
      // Its backends notice the postmaster is gone and exit; a new postmaster comes up.
      await waitFor(async () => (postmastersOn(pgdata).some((pid) => pid !== postmaster) ? true : undefined), 30_000, 'a new postmaster');
    });
    expect(seen).toContain(503);
    expect(seen.at(-1)).toBe(200);
    expect(service.running()).toBe(true);
    expect(service.stdout()).toContain('embedded PostgreSQL restarted');

    await expectAllActive(service, TOKEN, ids);
    await expectAppliedOnce((await fs.readFile(path.join(service.dataDir, 'postgres.url'), 'utf8')).trim(), ids.length);
    expect(postmastersOn(pgdata)).toHaveLength(1);
    expect((await service.stop()).code).toBe(0);
    expect(postmastersOn(pgdata)).toEqual([]);
  });

  it('refuses a data directory made by an earlier release (its in-process database), and says how to move the data', async () => {
    const dataDir = await processes.tempDir();
    await fs.mkdir(path.join(dataDir, 'pgdata'));
    await fs.writeFile(path.join(dataDir, 'pgdata', 'PG_VERSION'), '17\n');
    const result = await processes.run({ dataDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(path.join(dataDir, 'pgdata'));
    expect(result.stderr).toMatch(/earlier release/);
    expect(result.stderr).toMatch(/dump/);
    // Nothing was made beside it: no cluster, and the old data untouched.
    await expect(fs.access(path.join(dataDir, 'postgres'))).rejects.toThrow();
    expect(await fs.readFile(path.join(dataDir, 'pgdata', 'PG_VERSION'), 'utf8')).toBe('17\n');
  });
});
