import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Draining } from '../../src/api/draining.js';
import { STEP_TIMEOUT_SECONDS } from '../../src/domain/plans.js';
import { DriverError, type KubeObject } from '../../src/drivers/contract.js';
import { claim } from '../support/store-operations.js';
import { status, waitForJobEnd } from '../support/provisioning.js';
import { type Sample, sampleValue, scrape } from '../support/prometheus-text.js';
import { deleteNetworkPolicy, provisionTenant, simCluster, waitForReconciles } from '../support/reconcile.js';
import { type TestApp, createTenantViaApi, startTestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The engine's own metrics as an operator's Prometheus scrapes them from /metrics: what one
 * replica's engine did (counters and histograms, engine-metrics.ts) and what the database says of
 * the whole system (gauges, metrics.ts), moved by real provisionings on the simulated cloud with
 * a driver that fails, a step that fails for good, a drifted tenant, a stolen lease, a stuck step.
 */

function value(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return sampleValue(samples, name, labels) ?? 0;
}

describe('engine metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ engine: { backoffSeconds: [1] } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('count a driver failure, the retry it caused, and the job and step durations of a provisioning that recovers', async () => {
    // The cluster times out on the first Namespace it is asked to apply: a retryable driver failure.
    const cluster = simCluster(t);
    const apply = cluster.apply.bind(cluster);
    let failures = 0;
    cluster.apply = async (object: KubeObject) => {
      if (object.kind === 'Namespace' && failures === 0) {
        failures++;
        throw new DriverError('simulated: the API server did not answer in time', true);
      }
      return apply(object);
    };
    const before = await scrape(t.app);
    try {
      const tenant = await provisionTenant(t);
      expect(failures).toBe(1);
      const final = await status(t.app, tenant.id);
      expect(final.retryCount).toBe(1);
    } finally {
      cluster.apply = apply;
    }
    const after = await scrape(t.app);
    const delta = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);
    expect(delta('matih_driver_errors_total', { driver: 'cluster', retryable: 'true' })).toBe(1);
    expect(delta('matih_step_retries_total', { step: 'CREATE_NAMESPACE' })).toBe(1);
    expect(delta('matih_step_duration_seconds_count', { step: 'CREATE_NAMESPACE', outcome: 'retry' })).toBe(1);
    expect(delta('matih_step_duration_seconds_count', { step: 'CREATE_NAMESPACE', outcome: 'succeeded' })).toBe(1);
    expect(delta('matih_step_duration_seconds_count', { step: 'VERIFY', outcome: 'succeeded' })).toBe(1);
    expect(delta('matih_job_duration_seconds_count', { kind: 'PROVISION', outcome: 'succeeded' })).toBe(1);
    // From the job's creation: at least the one-second backoff it waited.
    expect(delta('matih_job_duration_seconds_sum', { kind: 'PROVISION', outcome: 'succeeded' })).toBeGreaterThanOrEqual(1);
    expect(delta('matih_rollbacks_total', { kind: 'PROVISION' })).toBe(0);
  });

  it('count a rollback and a failed job when a step fails for good', async () => {
    const before = await scrape(t.app);
    t.engine!.faults.configure({ faults: [{ step: 'DEPLOY_SECRETS', kind: 'permanent', times: 1 }] });
    try {
      const created = await createTenantViaApi(t.app);
      const final = await waitForJobEnd(t.app, created.id);
      expect(final.job.status).toBe('FAILED');
    } finally {
      t.engine!.faults.configure({ faults: [] });
    }
    const after = await scrape(t.app);
    const delta = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);
    expect(delta('matih_rollbacks_total', { kind: 'PROVISION' })).toBe(1);
    expect(delta('matih_step_duration_seconds_count', { step: 'DEPLOY_SECRETS', outcome: 'failed' })).toBe(1);
    expect(delta('matih_job_duration_seconds_count', { kind: 'PROVISION', outcome: 'failed' })).toBe(1);
    expect(delta('matih_step_retries_total', { step: 'DEPLOY_SECRETS' })).toBe(0);
  });

  it('time the reconcile sweep, count the drift it finds, and report when the last one finished', async () => {
    const tenant = await provisionTenant(t);
    const before = await scrape(t.app);
    await deleteNetworkPolicy(t, tenant.slug);
    const summary = await t.engine!.reconciler.sweepOnce();
    expect(summary.drifted).toBeGreaterThanOrEqual(1);
    await waitForReconciles(t, tenant.id);
    const after = await scrape(t.app);
    expect(value(after, 'matih_reconcile_sweep_duration_seconds_count') - value(before, 'matih_reconcile_sweep_duration_seconds_count')).toBe(1);
    expect(value(after, 'matih_reconcile_drift_found_total', { kind: 'object' }) - value(before, 'matih_reconcile_drift_found_total', { kind: 'object' })).toBeGreaterThanOrEqual(1);
    // Read from the database (any replica's last sweep): the one that just finished.
    expect(value(after, 'matih_reconcile_last_sweep_timestamp_seconds')).toBeCloseTo(Date.parse(summary.finishedAt) / 1000, 3);
  });

  it('publish every step timeout, and say the replica is ready until it drains', async () => {
    const samples = await scrape(t.app);
    for (const [step, seconds] of Object.entries(STEP_TIMEOUT_SECONDS)) expect(sampleValue(samples, 'matih_step_timeout_seconds', { step })).toBe(seconds);
    expect(STEP_TIMEOUT_SECONDS.PROVISION_INFRASTRUCTURE).toBeGreaterThan(STEP_TIMEOUT_SECONDS.CREATE_NAMESPACE);
    expect(value(samples, 'matih_ready')).toBe(1);
    expect(value(samples, 'matih_provisioning_jobs_stuck')).toBe(0);

    const draining = new Draining();
    draining.start();
    t.deps.draining = draining;
    try {
      expect(value(await scrape(t.app), 'matih_ready')).toBe(0);
      expect((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(503);
    } finally {
      t.deps.draining = undefined;
    }
  });

  it('write no trace context when nothing is traced (no OTEL_* variables)', async () => {
    const tenant = await provisionTenant(t);
    const jobs = await sql<{ traceParent: string | null }>`select trace_parent from tenant_provisioning_jobs where tenant_id = ${tenant.id}`.execute(t.database.db);
    const events = await sql<{ traceParent: string | null }>`select trace_parent from outbox where aggregate_id = ${tenant.id}`.execute(t.database.db);
    expect(jobs.rows.length).toBeGreaterThan(0);
    expect(events.rows.length).toBeGreaterThan(0);
    expect([...jobs.rows, ...events.rows].every((r) => r.traceParent === null)).toBe(true);
  });
});

describe('a lease lost mid-step', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Slow steps (workloads ready after 1.5 s) and a heartbeat every 300 ms.
    t = await startTestApp({ engine: { delayMs: 1500, leaseMs: 900 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('is counted, and the step it cut off ends as aborted', async () => {
    const before = await scrape(t.app);
    const created = await createTenantViaApi(t.app);
    await waitFor(async () => ((await status(t.app, created.id)).currentStep === 'DEPLOY_CORE_SERVICES' ? true : undefined), 30_000, 'a step that waits for its workloads');
    // Another worker takes the job (as after a long pause of this one): this one must let go.
    await sql`update tenant_provisioning_jobs set lease_owner = 'another-replica', lease_until = now() + interval '1 hour' where tenant_id = ${created.id}`.execute(t.database.db);
    await waitFor(async () => (value(await scrape(t.app), 'matih_lease_losses_total') > value(before, 'matih_lease_losses_total') ? true : undefined), 10_000, 'the lease loss to be counted');
    const after = await scrape(t.app);
    expect(value(after, 'matih_lease_losses_total') - value(before, 'matih_lease_losses_total')).toBe(1);
    const aborted = (name: string) => after.filter((s) => s.name === name && s.labels.outcome === 'aborted').reduce((n, s) => n + s.value, 0);
    expect(aborted('matih_step_duration_seconds_count')).toBe(1);
  });
});

describe('stuck jobs', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No engine: the job is claimed by hand, as by a replica that then hangs.
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('are the running jobs whose current step has run longer than its timeout', async () => {
    const created = await createTenantViaApi(t.app);
    const job = await claim(t.database.db, 'hung-replica');
    expect(job.tenantId).toBe(created.id);
    expect(value(await scrape(t.app), 'matih_provisioning_jobs_stuck')).toBe(0);

    const timeout = STEP_TIMEOUT_SECONDS[job.currentStep as keyof typeof STEP_TIMEOUT_SECONDS];
    const backdate = async (seconds: number) =>
      sql`update provisioning_steps set started_at = now() - ${seconds} * interval '1 second' where job_id = ${job.id} and name = ${job.currentStep}`.execute(t.database.db);
    await backdate(timeout - 60);
    expect(value(await scrape(t.app), 'matih_provisioning_jobs_stuck')).toBe(0);
    await backdate(timeout + 60);
    expect(value(await scrape(t.app), 'matih_provisioning_jobs_stuck')).toBe(1);
  });
});
