import { expect } from 'vitest';
import type { KubeObject } from '../../src/drivers/contract.js';
import { namespaceFor } from '../../src/domain/tenant.js';
import { waitForJobEnd } from './provisioning.js';
import { type CreatedTenantResponse, type TestApp, createTenantViaApi } from './test-app.js';
import { waitFor } from './wait-for.js';

/** Helpers of the reconciler's tests: provision, make drift, read what the reconciler wrote. */

export async function provisionTenant(t: TestApp, overrides: Record<string, unknown> = {}): Promise<CreatedTenantResponse> {
  const created = await createTenantViaApi(t.app, overrides);
  const final = await waitForJobEnd(t.app, created.id);
  expect(final.status, final.errorMessage ?? '').toBe('ACTIVE');
  return created;
}

export function simCluster(t: TestApp) {
  const cluster = t.engine?.cluster;
  if (!cluster) throw new Error('the test app runs no simulated cluster');
  return cluster;
}

export async function networkPolicies(t: TestApp, slug: string): Promise<KubeObject[]> {
  return simCluster(t).listAll(namespaceFor(slug), 'NetworkPolicy');
}

/** Deletes one of the tenant's NetworkPolicies behind the engine's back; returns its name. */
export async function deleteNetworkPolicy(t: TestApp, slug: string, index = 0): Promise<string> {
  const policy = (await networkPolicies(t, slug))[index];
  if (!policy) throw new Error(`tenant ${slug} has no NetworkPolicy ${index}`);
  expect(await simCluster(t).remove({ apiVersion: policy.apiVersion, kind: policy.kind, name: policy.metadata.name, namespace: namespaceFor(slug) })).toBe(true);
  return policy.metadata.name;
}

export interface OutboxRow {
  type: string;
  payload: Record<string, unknown>;
}

export async function outboxOf(t: TestApp, tenantId: string): Promise<OutboxRow[]> {
  return t.database.db.selectFrom('outbox').select(['type', 'payload']).where('aggregateId', '=', tenantId).orderBy('id').execute();
}

export const RECONCILE_EVENTS: ReadonlySet<string> = new Set(['drift.detected', 'reconcile.started', 'drift.repaired', 'reconcile.failed']);

export async function reconcileEvents(t: TestApp, tenantId: string): Promise<OutboxRow[]> {
  return (await outboxOf(t, tenantId)).filter((e) => RECONCILE_EVENTS.has(e.type));
}

export async function reconcileJobs(t: TestApp, tenantId?: string) {
  let q = t.database.db
    .selectFrom('tenantProvisioningJobs')
    .select(['id', 'tenantId', 'status', 'startedAt', 'completedAt', 'createdAt', 'failedStep'])
    .where('kind', '=', 'RECONCILE');
  if (tenantId) q = q.where('tenantId', '=', tenantId);
  return q.orderBy('createdAt').execute();
}

/** Waits until the tenant has `count` RECONCILE jobs and none of them is open; returns them. */
export async function waitForReconciles(t: TestApp, tenantId: string, count = 1, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const jobs = await reconcileJobs(t, tenantId);
      return jobs.length >= count && jobs.every((j) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(j.status)) ? jobs : undefined;
    },
    timeoutMs,
    `${count} finished RECONCILE job(s) of tenant ${tenantId}`,
  );
}

export async function desiredOf(t: TestApp, tenantId: string) {
  return t.database.db.selectFrom('desiredInfrastructureState').selectAll().where('tenantId', '=', tenantId).executeTakeFirstOrThrow();
}

export async function stepOutputs(t: TestApp, jobId: string): Promise<Record<string, Record<string, unknown>>> {
  const rows = await t.database.db.selectFrom('provisioningSteps').select(['name', 'outputs', 'status']).where('jobId', '=', jobId).execute();
  return Object.fromEntries(rows.map((r) => [r.name, { ...r.outputs, status: r.status }]));
}
