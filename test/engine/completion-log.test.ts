import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFor } from '../../src/domain/plans.js';
import { waitForJobEnd } from '../support/provisioning.js';
import { type TestApp, createTenantViaApi, startTestApp } from '../support/test-app.js';

/** spec/004 phase 10: a finished provisioning says, in one log line, how long it took and how long each step took. */
describe('the completion record of a job', () => {
  let t: TestApp;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    t = await startTestApp({ engine: { delayMs: 0 }, engineLogger: pino({ level: 'info' }, sink) });
  });
  afterAll(async () => {
    await t.close();
  });

  it('logs one line per finished job with the total and every step that ran', async () => {
    const tenant = await createTenantViaApi(t.app, { tier: 'FREE' });
    const end = await waitForJobEnd(t.app, tenant.id);
    expect(end.job.status).toBe('SUCCEEDED');
    const finished = lines.filter((l) => l.jobId === tenant.provisioningJobId && l.msg === 'job succeeded');
    expect(finished).toHaveLength(1);
    const [line] = finished as [{ kind: string; tier: string; durationMs: number; steps: Record<string, number> }];
    expect(line).toMatchObject({ kind: 'PROVISION', tier: 'FREE', tenantId: tenant.id });
    expect(line.durationMs).toBeGreaterThan(0);
    // Every step of the plan, the create request's three included (they took no time of the job's).
    expect(Object.keys(line.steps)).toEqual(planFor('FREE').steps.map((s) => s.name));
    for (const ms of Object.values(line.steps)) expect(ms).toBeGreaterThanOrEqual(0);
    expect(Object.values(line.steps).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(line.durationMs + 1000);
  });

  it('logs a failed job the same way, with the steps that completed before it failed', async () => {
    t.engine!.faults.configure({ faults: [{ step: 'DEPLOY_SECRETS', kind: 'permanent', times: 1 }] });
    try {
      const tenant = await createTenantViaApi(t.app, { tier: 'FREE' });
      expect((await waitForJobEnd(t.app, tenant.id)).job.status).toBe('FAILED');
      const failed = lines.filter((l) => l.jobId === tenant.provisioningJobId && l.msg === 'job failed');
      expect(failed).toHaveLength(1);
      const [line] = failed as [{ durationMs: number; steps: Record<string, number>; cancelled: boolean }];
      expect(line.cancelled).toBe(false);
      expect(line.durationMs).toBeGreaterThan(0);
      expect(Object.keys(line.steps)).toEqual(expect.arrayContaining(['SELECT_CLUSTER', 'CREATE_NAMESPACE', 'SETUP_DATABASE']));
      expect(Object.keys(line.steps)).not.toContain('DEPLOY_SECRETS');
    } finally {
      t.engine!.faults.configure({ faults: [] });
    }
  });
});
