import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmSecretBox } from '../../src/drivers/secrets/aes-gcm-secret-box.js';
import { type Database, openDatabase } from '../../src/store/open-database.js';
import { createServerDatabase, dropServerDatabase } from '../support/databases.js';
import { type CliResult, buildCli, jsonOf, matihctl } from '../support/matihctl.js';
import { type ProcessStatus, statusOf } from '../support/process-tenants.js';
import { type ServiceProcess, ServiceProcesses, httpJson } from '../support/service-process.js';
import { tenantBody } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The acceptance of the MATIH_SECRET_KEY rotation (issue 18, docs/operations.md): a service on K1
 * seals tenant database credentials, JWT signing keys and the local CA's key; restarted on K2 with
 * K1 in MATIH_SECRET_KEY_PREVIOUS everything keeps working; `matihctl admin rotate-secret-key`
 * re-seals it all; restarted on K2 alone, every sealed text in the database opens with K2 and none
 * with K1, old tokens verify, and a job that stopped before the change resumes on what it sealed.
 */

const TOKEN = 'secret-key-rotation-bootstrap-token-0123';
const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
const LONG = 240_000;

// A sealed text (aes-gcm-secret-box.ts: v1, a 12-byte IV, a 16-byte tag, the ciphertext, base64url) wherever it sits.
const SEALED = /(?<![A-Za-z0-9_-])v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]*/g;

interface Found {
  table: string;
  sealed: string;
}

/** Every sealed text in every table of the control-plane database, whatever column or JSON it is in. */
async function everySealedText(database: Database): Promise<Found[]> {
  const { rows: tables } = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(database.db);
  const found: Found[] = [];
  for (const { name } of tables) {
    const { rows } = await sql<{ row: string }>`select row_to_json(t)::text as row from ${sql.table(name)} t`.execute(database.db);
    for (const { row } of rows) for (const match of row.matchAll(SEALED)) found.push({ table: name, sealed: match[0] });
  }
  return found;
}

function opens(key: string, sealed: string): boolean {
  try {
    new AesGcmSecretBox(key).open(sealed);
    return true;
  } catch {
    return false;
  }
}

function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${String(result.code)}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
}

describe('MATIH_SECRET_KEY rotation across restarts (service processes, matihctl)', { timeout: LONG }, () => {
  const procs = new ServiceProcesses();
  let databaseUrl: string;
  let database: Database;
  let dataDir: string;
  let config: string;
  let service: ServiceProcess | undefined;

  const baseEnv = () => ({ DATABASE_URL: databaseUrl, MATIH_BOOTSTRAP_TOKEN: TOKEN, MATIH_LOG_LEVEL: 'warn', MATIH_SIM_DELAY_MS: '0' });
  const start = async (env: Record<string, string>) => {
    service = await procs.start({ dataDir, env: { ...baseEnv(), ...env } });
    return service;
  };
  const stop = async () => {
    const result = await service?.stop('SIGTERM');
    expect(result?.code).toBe(0);
    service = undefined;
  };
  const api = <T>(s: ServiceProcess, pathname: string, options: { method?: string; body?: unknown; token?: string } = {}) =>
    httpJson<T>(`${s.tenantUrl}${pathname}`, { token: TOKEN, ...options });
  const cli = (s: ServiceProcess, args: readonly string[]) => matihctl([...args, '--output', 'json'], { config, env: { MATIH_SERVER: s.tenantUrl, MATIH_TOKEN: TOKEN } });
  const jobEnded = (s: ServiceProcess, tenantId: string, jobId: string | undefined, want: string) =>
    waitFor(
      async () => {
        const status = (await statusOf(s, TOKEN, tenantId)) as ProcessStatus & { job: { id: string; status: string } };
        if (jobId !== undefined && status.job.id !== jobId) return undefined;
        if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(status.job.status)) return status;
        return undefined;
      },
      120_000,
      `the job of ${tenantId} to end ${want}`,
    ).then((status) => {
      expect(status.job.status, JSON.stringify(status.steps.filter((step) => step.status !== 'COMPLETED'))).toBe(want);
      return status;
    });
  const whoami = (s: ServiceProcess, token: string) => api(s, '/api/v1/auth/whoami', { token });

  beforeAll(async () => {
    dataDir = await procs.tempDir('matih-rotation-');
    config = path.join(dataDir, 'matihctl.json');
    databaseUrl = await createServerDatabase();
    database = openDatabase({ url: databaseUrl, poolSize: 2, kind: 'external' });
    await buildCli();
  }, LONG);
  afterAll(async () => {
    await procs.cleanup();
    await database?.close();
    if (databaseUrl) await dropServerDatabase(databaseUrl);
  });

  it('re-seals every sealed value with the new key; afterwards the old key is not needed and tenants keep working', async () => {
    // 1. On K1 only. Tenant A's provisioning stops for good at DEPLOY_SECRETS (after SETUP_DATABASE
    //    sealed its login with K1), kept as it is (no rollback) to be resumed after the rotation.
    let s = await start({ MATIH_SECRET_KEY: K1, MATIH_SIM_FAULTS: 'DEPLOY_SECRETS=permanent', MATIH_ROLLBACK_ON_FAILURE: 'false' });
    const a = await api<{ id: string }>(s, '/api/v1/tenants', { method: 'POST', body: tenantBody({ tier: 'FREE' }) });
    expect(a.status).toBe(201);
    const tenantA = a.body.id;
    await jobEnded(s, tenantA, undefined, 'FAILED');
    // A JWT, signed by a key sealed with K1; the local CA, its key sealed with K1.
    const key = await api<{ key: string }>(s, '/api/v1/api-keys', { method: 'POST', body: { name: 'rotation-test' } });
    expect(key.status).toBe(201);
    const exchanged = await httpJson<{ accessToken: string }>(`${s.tenantUrl}/api/v1/auth/token`, { method: 'POST', body: { apiKey: key.body.key } });
    expect(exchanged.status).toBe(200);
    const oldJwt = exchanged.body.accessToken;
    expect((await whoami(s, oldJwt)).status).toBe(200);
    const caPem = await fetch(`${s.tenantUrl}/api/v1/tls/ca.pem`).then((res) => res.text());
    expect(caPem).toContain('BEGIN CERTIFICATE');
    await stop();

    const underK1 = await everySealedText(database);
    // The CA, at least one JWT key, and A's login in its step row and its phase outputs.
    expect(underK1.length).toBeGreaterThanOrEqual(4);
    expect(underK1.every((v) => opens(K1, v.sealed))).toBe(true);
    expect(new Set(underK1.map((v) => v.table))).toEqual(new Set(['signing_keys', 'provisioning_steps', 'tenant_provisioning_state']));

    // The new key alone cannot take over yet: the JWT keys are sealed with K1.
    const refused = await procs.run({ dataDir, env: { DATABASE_URL: databaseUrl, MATIH_BOOTSTRAP_TOKEN: TOKEN, MATIH_SECRET_KEY: K2 } });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr + refused.stdout).toContain('MATIH_SECRET_KEY_PREVIOUS');

    // 2. On K2 with K1 as the previous key: what K1 sealed still opens, what is new is sealed with K2.
    s = await start({ MATIH_SECRET_KEY: K2, MATIH_SECRET_KEY_PREVIOUS: K1 });
    expect((await whoami(s, oldJwt)).status).toBe(200);
    expect(await fetch(`${s.tenantUrl}/api/v1/tls/ca.pem`).then((res) => res.text())).toBe(caPem);
    // Tenant B provisions end to end: its login sealed with K2, its certificate issued by the K1-sealed CA.
    const b = await api<{ id: string }>(s, '/api/v1/tenants', { method: 'POST', body: tenantBody({ tier: 'FREE' }) });
    expect(b.status).toBe(201);
    const tenantB = b.body.id;
    await jobEnded(s, tenantB, undefined, 'SUCCEEDED');

    const check = await cli(s, ['admin', 'rotate-secret-key', '--check']);
    expectExit(check, 1);
    expect(check.stderr).toContain('keep MATIH_SECRET_KEY_PREVIOUS');
    const before = jsonOf<{ current: number; previous: number; unreadable: number; safeToDropPrevious: boolean; previousKeys: number }>(check);
    expect(before).toMatchObject({ previous: underK1.length, unreadable: 0, safeToDropPrevious: false, previousKeys: 1 });
    expect(before.current).toBeGreaterThanOrEqual(2);
    // A replica still at step 1 of the runbook (sealing with K1, opening K2 too), beside this one as
    // during a rolling update: it opens everything either key sealed.
    const step1 = await procs.start({ env: { ...baseEnv(), MATIH_SECRET_KEY: K1, MATIH_SECRET_KEY_PREVIOUS: K2, MATIH_WORKER_CONCURRENCY: '0' } });
    const seenByStep1 = await cli(step1, ['admin', 'rotate-secret-key', '--check']);
    expectExit(seenByStep1, 1);
    expect(jsonOf(seenByStep1)).toMatchObject({ current: underK1.length, previous: before.current, unreadable: 0 });
    expect((await step1.stop()).code).toBe(0);

    const rotated = await cli(s, ['admin', 'rotate-secret-key']);
    expectExit(rotated, 0);
    expect(jsonOf(rotated)).toMatchObject({ resealed: underK1.length, alreadyCurrent: before.current, unreadable: 0, remaining: 0, safeToDropPrevious: true });
    expect(rotated.stderr).toContain('safe to remove MATIH_SECRET_KEY_PREVIOUS');
    // Idempotent: a second run finds nothing to do.
    const again = await cli(s, ['admin', 'rotate-secret-key']);
    expectExit(again, 0);
    expect(jsonOf(again)).toMatchObject({ resealed: 0, remaining: 0, passes: 1 });
    await stop();

    // Every sealed text of the database, wherever it is, opens with K2 and none with K1.
    const afterRotation = await everySealedText(database);
    expect(afterRotation.length).toBeGreaterThan(underK1.length);
    const notK2 = afterRotation.filter((v) => !opens(K2, v.sealed));
    const stillK1 = afterRotation.filter((v) => opens(K1, v.sealed));
    expect({ notK2, stillK1 }).toEqual({ notK2: [], stillK1: [] });

    // 3. On K2 alone.
    s = await start({ MATIH_SECRET_KEY: K2 });
    // The token signed before the change verifies, and a new one is issued.
    expect((await whoami(s, oldJwt)).status).toBe(200);
    const fresh = await httpJson<{ accessToken: string }>(`${s.tenantUrl}/api/v1/auth/token`, { method: 'POST', body: { apiKey: key.body.key } });
    expect(fresh.status).toBe(200);
    expect((await whoami(s, fresh.body.accessToken)).status).toBe(200);
    expect(await fetch(`${s.tenantUrl}/api/v1/tls/ca.pem`).then((res) => res.text())).toBe(caPem);
    // A's provisioning resumes at DEPLOY_SECRETS on the login SETUP_DATABASE sealed with K1 before
    // the change (the rotation re-sealed it), and is issued its certificate by the CA.
    const retry = await api(s, `/api/v1/tenants/${tenantA}/provisioning/retry`, { method: 'POST' });
    expect(retry.status).toBe(202);
    await jobEnded(s, tenantA, undefined, 'SUCCEEDED');
    expect((await statusOf(s, TOKEN, tenantA)).status).toBe('ACTIVE');
    // B is updated: SETUP_DATABASE and DEPLOY_SECRETS run again.
    const update = await api<{ jobId: string }>(s, `/api/v1/tenants/${tenantB}`, { method: 'PATCH', body: { configuration: { storageGb: 40 } } });
    expect(update.status, JSON.stringify(update.body)).toBe(202);
    await jobEnded(s, tenantB, update.body.jobId, 'SUCCEEDED');
    const done = await cli(s, ['admin', 'rotate-secret-key', '--check']);
    expectExit(done, 0);
    expect(jsonOf(done)).toMatchObject({ previous: 0, unreadable: 0, previousKeys: 0, safeToDropPrevious: true });
    await stop();
  });
});
