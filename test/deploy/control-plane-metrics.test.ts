import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createServerDatabase, dropServerDatabase } from '../support/databases.js';
import { metricSelectors } from '../support/promql.js';
import { createTenants, expectAllActive } from '../support/process-tenants.js';
import { ServiceProcesses } from '../support/service-process.js';
import { waitFor } from '../support/wait-for.js';
import { CONTROL_PLANE_METRICS, DASHBOARD_FILE, alertRules, declaredFamilies } from './control-plane-metrics.js';

/**
 * The metric list the control plane's alert rules and dashboard are held to
 * (control-plane-metrics.ts), against the /metrics of the real service: a process started as the
 * chart starts it (its own PostgreSQL database, the engine on the simulated cloud, process
 * metrics on), after it provisioned a tenant through one retried step and swept once. Every family
 * the rules and the dashboard use is exported with its type, with the labels they match on; and
 * every family of the service's own (not prom-client's process metrics) is in the list, so a new
 * one is not left off the dashboard.
 */

const TOKEN = 'metrics-contract-bootstrap-token-0123456789';
const RETRIED_STEP = 'DEPLOY_CORE_SERVICES';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function samplesOf(exposition: string): Sample[] {
  const out: Sample[] = [];
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    out.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return out;
}

/** The label names each family is matched on by the rules and the dashboard (job and namespace are Prometheus'). */
function matchedLabels(): Map<string, Set<string>> {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
  const expressions = [...alertRules().map((r) => r.expr), ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr))];
  const byFamily = new Map<string, Set<string>>();
  for (const s of expressions.flatMap((e) => metricSelectors(e))) {
    const family = s.metric.replace(/_(bucket|sum|count)$/, (suffix) => (CONTROL_PLANE_METRICS[s.metric.slice(0, -suffix.length)] === 'histogram' ? '' : suffix));
    const names = byFamily.get(family) ?? new Set<string>();
    for (const m of s.matchers) {
      const label = /^(\w+)/.exec(m)?.[1];
      if (label && label !== 'job' && label !== 'namespace' && label !== 'le') names.add(label);
    }
    byFamily.set(family, names);
  }
  return byFamily;
}

describe('the metrics the control plane exports, scraped from the real service', () => {
  const procs = new ServiceProcesses();
  let databaseUrl: string | undefined;
  afterAll(async () => {
    await procs.cleanup();
    if (databaseUrl) await dropServerDatabase(databaseUrl);
  });

  it('are the ones the alert rules and the dashboard read, with their types and labels', async () => {
    databaseUrl = await createServerDatabase();
    const service = await procs.start({
      env: {
        DATABASE_URL: databaseUrl,
        MATIH_BOOTSTRAP_TOKEN: TOKEN,
        MATIH_POLL_MS: '100',
        MATIH_RECONCILE_INTERVAL_S: '1',
        MATIH_SIM_FAULTS: `${RETRIED_STEP}=retryable:1`,
        MATIH_RETRY_BACKOFF: '1',
      },
    });
    const started = Date.now() / 1000;
    const ids = await createTenants(service, TOKEN, 1);
    await expectAllActive(service, TOKEN, ids);
    const scrape = async () => {
      const res = await fetch(`${service.tenantUrl}/metrics`);
      expect(res.status).toBe(200);
      return res.text();
    };
    // A sweep after the tenant is ACTIVE (one a second).
    const exposition = await waitFor(async () => {
      const text = await scrape();
      const last = samplesOf(text).find((s) => s.name === 'matih_reconcile_last_sweep_timestamp_seconds');
      return last && last.value > started ? text : undefined;
    }, 60_000, 'a reconcile sweep');

    const declared = declaredFamilies(exposition);
    for (const [family, type] of Object.entries(CONTROL_PLANE_METRICS)) expect(declared.get(family), family).toBe(type);
    const own = [...declared.keys()].filter((f) => f.startsWith('matih_') && !f.startsWith('matih_process_') && !f.startsWith('matih_nodejs_'));
    expect(own.filter((f) => !(f in CONTROL_PLANE_METRICS)), "the service's families missing from control-plane-metrics.ts (and so from the dashboard)").toEqual([]);

    const samples = samplesOf(exposition);
    const labelsOf = (family: string) => new Set(samples.filter((s) => s.name === family || s.name.startsWith(`${family}_`)).flatMap((s) => Object.keys(s.labels)));
    for (const [family, labels] of matchedLabels()) {
      if (family === 'up') continue;
      for (const label of labels) expect(labelsOf(family).has(label), `${family} has the label ${label}`).toBe(true);
    }
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    // What the rules assume of the values: outcomes in lower case, this replica ready, nothing stuck.
    expect(value('matih_ready')).toBe(1);
    expect(value('matih_provisioning_jobs_stuck')).toBe(0);
    expect(value('matih_job_duration_seconds_count', { kind: 'PROVISION', outcome: 'succeeded' })).toBe(1);
    expect(value('matih_step_duration_seconds_count', { step: RETRIED_STEP, outcome: 'retry' })).toBe(1);
    expect(value('matih_step_retries_total', { step: RETRIED_STEP })).toBe(1);
    expect(value('matih_reconcile_sweep_duration_seconds_count')).toBeGreaterThan(0);
    expect(value('matih_step_timeout_seconds', { step: RETRIED_STEP })).toBeGreaterThan(0);
    expect(value('matih_http_requests_total', { method: 'POST', route: '/api/v1/tenants', status_code: '201' })).toBe(1);
    expect(await service.stop()).toMatchObject({ code: 0 });
  }, 240_000);
});
