import { expect } from 'vitest';
import { openDatabase } from '../../src/store/open-database.js';
import { type ServiceProcess, httpJson } from './service-process.js';
import { tenantBody } from './test-app.js';
import { waitFor } from './wait-for.js';

/** What process tests read of a tenant's provisioning status. */
export interface ProcessStatus {
  status: string;
  job: { status: string };
  steps: { name: string; status: string }[];
}

export async function createTenants(service: ServiceProcess, token: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await httpJson<{ id: string }>(`${service.tenantUrl}/api/v1/tenants`, { method: 'POST', token, body: tenantBody() });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids.push(res.body.id);
  }
  return ids;
}

export async function statusOf(service: ServiceProcess, token: string, id: string): Promise<ProcessStatus> {
  const res = await httpJson<ProcessStatus>(`${service.tenantUrl}/api/v1/tenants/${id}/provisioning/status`, { token });
  if (res.status !== 200) throw new Error(`status of ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Steps COMPLETED over all the tenants: how far provisioning got. */
export async function completedSteps(service: ServiceProcess, token: string, ids: readonly string[]): Promise<number> {
  let total = 0;
  for (const id of ids) total += (await statusOf(service, token, id)).steps.filter((s) => s.status === 'COMPLETED').length;
  return total;
}

/** Waits until at least `target` steps are done, whatever transient errors the status API answers meanwhile. */
export function untilCompleted(service: ServiceProcess, token: string, ids: readonly string[], target: number, timeoutMs = 90_000): Promise<number> {
  return waitFor(async () => {
    const n = await completedSteps(service, token, ids);
    return n >= target ? n : undefined;
  }, timeoutMs, `${target} completed steps`);
}

/** Every tenant ACTIVE with its job SUCCEEDED and every step COMPLETED. */
export async function expectAllActive(service: ServiceProcess, token: string, ids: readonly string[], timeoutMs = 120_000): Promise<void> {
  await waitFor(
    async () => {
      for (const id of ids) if ((await statusOf(service, token, id)).status !== 'ACTIVE') return undefined;
      return true;
    },
    timeoutMs,
    'every tenant to be ACTIVE',
  ).catch(async (error: unknown) => {
    // Say where each straggler is: a slow run and a stuck job look the same from outside.
    const stragglers: string[] = [];
    for (const id of ids) {
      const s = await statusOf(service, token, id).catch(() => undefined);
      if (s?.status === 'ACTIVE') continue;
      const current = s?.steps.find((step) => step.status !== 'COMPLETED');
      const why = (s as { errorMessage?: unknown } | undefined)?.errorMessage;
      stragglers.push(`${id}: ${s ? `${s.status}, job ${s.job.status}, at ${current?.name ?? '?'} (${current?.status ?? '?'}): ${String(why)}` : 'no status'}`);
      const logged = service.stdout().split('\n').filter((line) => line.includes(id) && /"level":(40|50|60)/.test(line));
      stragglers.push(...logged.slice(-8).map((line) => `  ${line.slice(0, 700)}`));
    }
    throw new Error(`${(error as Error).message}\n${stragglers.join('\n')}`);
  });
  for (const id of ids) {
    const status = await statusOf(service, token, id);
    expect(status.job.status).toBe('SUCCEEDED');
    expect(status.steps.filter((s) => s.status !== 'COMPLETED')).toEqual([]);
  }
}

/**
 * What the simulated cluster and the embedded DNS hold, read from the service's own database:
 * each tenant's zone and four A records, 17 HelmReleases (14 services, ingress-nginx, Prometheus,
 * Grafana) per Professional tenant, and every object applied exactly once.
 */
export async function expectAppliedOnce(databaseUrl: string, tenants: number, options: { resumed?: boolean } = {}): Promise<void> {
  const database = openDatabase({ url: databaseUrl, poolSize: 2, kind: 'external' });
  try {
    const zones = await database.db.selectFrom('dnsZones').select('name').execute();
    expect(zones.filter((z) => z.name.endsWith('.matih.localhost'))).toHaveLength(tenants);
    const aRecords = await database.db.selectFrom('dnsRecords').select('zone').where('type', '=', 'A').execute();
    expect(aRecords).toHaveLength(tenants * 4);
    const objects = await database.db.selectFrom('simObjects').select(['namespace', 'kind', 'name', 'applyCount']).execute();
    expect(objects.filter((o) => o.kind === 'HelmRelease').length).toBe(tenants * 17);
    expect(objects.filter((r) => r.applyCount !== 1)).toEqual([]);
    const started = await database.db.selectFrom('provisioningAuditLogs').select('tenantId').where('trigger', '=', 'job.started').execute();
    expect(started).toHaveLength(tenants);
    if (options.resumed) {
      // The interruptions did hit jobs mid-way, and they were resumed rather than restarted.
      const resumed = await database.db.selectFrom('provisioningAuditLogs').select('tenantId').where('trigger', '=', 'job.resumed').execute();
      expect(resumed.length).toBeGreaterThan(0);
    }
  } finally {
    await database.close();
  }
}

/** GET /ready on the tenant port: its status code, or 0 when nothing answered. */
export async function readiness(service: ServiceProcess): Promise<number> {
  try {
    const res = await fetch(`${service.tenantUrl}/ready`, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/**
 * Watches /ready every 25 ms while `during` runs and then until it is 200 again (or `timeoutMs`):
 * the statuses seen, in order, without repeats.
 */
export async function readinessAround(service: ServiceProcess, during: () => Promise<void>, timeoutMs = 30_000): Promise<number[]> {
  const seen: number[] = [];
  let done = false;
  const watch = (async () => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const status = await readiness(service);
      if (seen.at(-1) !== status) seen.push(status);
      if (done && status === 200 && seen.some((s) => s !== 200)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  await during();
  done = true;
  await watch;
  return seen;
}
