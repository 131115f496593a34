import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespaceFor } from '../../src/domain/tenant.js';
import type { ClusterDriver } from '../../src/drivers/contract.js';
import { DriftDetector } from '../../src/engine/drift-detector.js';
import { InfrastructureReconciler } from '../../src/engine/reconciler.js';
import { declarationDifferences } from '../../src/domain/drift.js';
import type { DnsDriver, InventoryItem } from '../../src/drivers/contract.js';
import { createDnsZone } from '../../src/steps/handlers/create-dns-zone.js';
import { certificateDue } from '../../src/steps/handlers/create-tenant-ingress.js';
import { databaseDifferences, recordedDatabase } from '../../src/steps/handlers/setup-database.js';
import type { StepOptions, TenantObservation } from '../../src/steps/step.js';
import { observeObjects } from '../../src/steps/support/observe-objects.js';
import { type ReconcileCandidate, listReconcileCandidates } from '../../src/store/reconcile/list-reconcile-candidates.js';
import { deleteNetworkPolicy, networkPolicies, provisionTenant, simCluster } from '../support/reconcile.js';
import { type CreatedTenantResponse, type TestApp, startTestApp } from '../support/test-app.js';

const DAY = 24 * 3600 * 1000;

describe('the drift detector against the real drivers', () => {
  let t: TestApp;
  let tenant: CreatedTenantResponse;
  let detector: DriftDetector;
  beforeAll(async () => {
    t = await startTestApp({ engine: {} });
    tenant = await provisionTenant(t);
    detector = detectorOver(t.engine!.clusterDriver);
  });
  afterAll(async () => {
    await t.close();
  });

  function detectorOver(cluster: ClusterDriver) {
    const engine = t.engine!;
    return new DriftDetector({ cluster, tenantDatabase: engine.tenantDatabase, dns: engine.dns }, engine.steps);
  }

  async function candidate(): Promise<ReconcileCandidate> {
    const [found] = await listReconcileCandidates(t.database.db, { tenantIds: [tenant.id], limit: 10 });
    if (!found) throw new Error('the tenant is no candidate');
    return found;
  }

  const messages = async (d: DriftDetector = detector) => (await d.detect(await candidate())).map((x) => x.message);

  it('finds nothing on a tenant just provisioned, whose outputs name what it should have', async () => {
    const c = await candidate();
    expect(c).toMatchObject({ status: 'ACTIVE', namespace: namespaceFor(tenant.slug), generation: 1, observedGeneration: 1, infrastructureStatus: 'ACTIVE' });
    const notAfter = new Date(String(c.phaseOutputs.CREATE_TENANT_INGRESS?.notAfter));
    expect(notAfter.getTime()).toBeGreaterThan(Date.now() + 60 * DAY);
    expect(await messages()).toEqual([]);
  });

  it('names a changed A record and a changed delegation, and nothing once they are put back', async () => {
    const c = await candidate();
    const dns = c.phaseOutputs.CREATE_DNS_ZONE as { zone: string; parentZone: string; loadBalancerIp: string; nameServers: string[] };
    const dnsDriver = t.engine!.dns;
    await dnsDriver.upsertRecordSet(dns.zone, { name: 'api', type: 'A', ttl: 300, values: ['10.0.0.9'] });
    await dnsDriver.upsertRecordSet(dns.zone, { name: 'bi', type: 'A', ttl: 60, values: [dns.loadBalancerIp] });
    await dnsDriver.deleteRecordSet(dns.parentZone, tenant.slug, 'NS');
    expect(await messages()).toEqual([
      `A api.${dns.zone} is 10.0.0.9, want ${dns.loadBalancerIp}`,
      `A bi.${dns.zone} has TTL 60, want 300`,
      `NS ${tenant.slug}.${dns.parentZone} missing`,
    ]);
    await dnsDriver.upsertRecordSet(dns.zone, { name: 'api', type: 'A', ttl: 300, values: [dns.loadBalancerIp] });
    await dnsDriver.upsertRecordSet(dns.zone, { name: 'bi', type: 'A', ttl: 300, values: [dns.loadBalancerIp] });
    await dnsDriver.upsertRecordSet(dns.parentZone, { name: tenant.slug, type: 'NS', ttl: 300, values: dns.nameServers });
    expect(await messages()).toEqual([]);
  });

  it('names an object missing, one changed behind its back, and one its step no longer declares', async () => {
    const cluster = simCluster(t);
    const deleted = await deleteNetworkPolicy(t, tenant.slug);
    const [edited] = await networkPolicies(t, tenant.slug);
    await cluster.apply({ ...edited!, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] } });
    const stray = { ...edited!, metadata: { ...edited!.metadata, name: 'allow-everything', uid: undefined, resourceVersion: undefined } };
    await cluster.apply(stray);
    expect((await messages()).sort()).toEqual(
      [
        `NetworkPolicy/${deleted} missing`,
        `NetworkPolicy/${edited!.metadata.name} changed outside the control plane`,
        'NetworkPolicy/allow-everything is not declared by CONFIGURE_NETWORKING',
      ].sort(),
    );

    // A driver without an inventory is listed kind by kind: the same missing and stray objects
    // (it cannot tell when an object changed).
    const listing: ClusterDriver = {
      get: (ref) => cluster.get(ref),
      observe: (o) => cluster.observe(o),
      apply: (o) => cluster.apply(o),
      delete: (ref) => cluster.delete(ref),
      list: (kind, labels, namespace) => cluster.list(kind, labels, namespace),
      awaitReady: (refs, wait) => cluster.awaitReady(refs, wait),
      probe: (endpoint, path) => cluster.probe(endpoint, path),
    };
    expect('inventory' in listing).toBe(false);
    expect((await messages(detectorOver(listing))).sort()).toEqual(
      [`NetworkPolicy/${deleted} missing`, 'NetworkPolicy/allow-everything is not declared by CONFIGURE_NETWORKING'].sort(),
    );
    await cluster.remove({ apiVersion: stray.apiVersion, kind: stray.kind, name: 'allow-everything', namespace: namespaceFor(tenant.slug) });
  });

  it('observes a page of tenants with one inventory call and gives each its own objects', async () => {
    // A sweep that read the parent zone before the next tenant's delegation existed.
    const scope = detector.beginSweep();
    const parentZone = String((await candidate()).phaseOutputs.CREATE_DNS_ZONE?.parentZone);
    await scope.parentZone(parentZone);
    const other = await provisionTenant(t);
    const deleted = await deleteNetworkPolicy(t, other.slug);
    const page = await listReconcileCandidates(t.database.db, { tenantIds: [tenant.id, other.id], limit: 10 });
    const cluster = t.engine!.clusterDriver;
    let calls = 0;
    const counting: ClusterDriver = Object.assign(Object.create(cluster) as ClusterDriver, {
      inventory: (selections: Parameters<NonNullable<ClusterDriver['inventory']>>[0]) => {
        calls++;
        return cluster.inventory!(selections);
      },
    });
    const observed = await detectorOver(counting).detectPage(page, scope, 4);
    expect(calls).toBe(1);
    const byTenant = new Map(observed.map((o) => [o.candidate.tenantId, 'differences' in o ? o.differences.map((d) => d.message) : o.error]));
    // Its delegation is not in the parent as first read: a read made for the page confirms it is there.
    expect(byTenant.get(other.id)).toEqual([`NetworkPolicy/${deleted} missing`]);
    // The first tenant keeps the drift of the test before: the same as observed alone, nothing of the other's.
    expect(byTenant.get(tenant.id)).toEqual(await messages());
    expect(byTenant.get(tenant.id)).toHaveLength(2);
  });

  it('a sweep in pages of one tenant sees every tenant once, the next page read while one is observed', async () => {
    // No repair may be queued (maxJobs 0): the drift of the tests before stays for the count.
    const reconciler = new InfrastructureReconciler(t.database.db, detector, { owner: 'pages-of-one', intervalMs: 0, maxJobs: 0, maxRetries: 0, pageSize: 1 }, pino({ level: 'silent' }));
    const live = await listReconcileCandidates(t.database.db, { limit: 100 });
    expect(live).toHaveLength(2);
    expect(await reconciler.sweepOnce()).toMatchObject({ tenantsChecked: 2, drifted: 2, clean: 0, errors: 0, jobsQueued: 0, deferred: 2 });
  });
});

describe("the steps' observe, as the drift detector calls it", () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const empty = { exists: false, nameServers: [], records: [] };

  /** What the detector hands a step: here with the reads a test gives. */
  function observation(outputs: TenantObservation['outputs'], reads: Partial<TenantObservation> = {}): TenantObservation {
    return {
      tenantId: 't1',
      slug: 'acme',
      outputs,
      lastJobCommitAt: new Date('2030-01-01T00:00:00Z'),
      now,
      objects: () => Promise.resolve([]),
      database: () => Promise.reject(new Error('no database read expected')),
      zone: () => Promise.resolve(empty),
      parentZone: () => Promise.resolve(empty),
      ...reads,
    };
  }

  it('a certificate the step would renew: within 30 days of expiry, or expired', () => {
    const at = (days: number) => new Date(now.getTime() + days * DAY + 3600_000).toISOString();
    expect(certificateDue(at(12), now).map((d) => d.message)).toEqual(['certificate expires in 12 days']);
    expect(certificateDue(at(45), now)).toEqual([]);
    const [expired] = certificateDue(at(-2), now);
    expect(expired).toMatchObject({ kind: 'certificate', step: 'CREATE_TENANT_INGRESS' });
    expect(expired?.message).toMatch(/^certificate expired on 2029-12-30/);
    // cert-manager's certificates carry no notAfter: it renews them itself.
    expect(certificateDue(undefined, now)).toEqual([]);
  });

  it('a declaration ahead of what was reached, and a last job that failed', () => {
    expect(declarationDifferences({ generation: 3, observedGeneration: 2, infrastructureStatus: 'ACTIVE' })).toEqual([{ kind: 'generation', step: null, message: 'generation 3, observed 2' }]);
    expect(declarationDifferences({ generation: 2, observedGeneration: 2, infrastructureStatus: 'FAILED' }).map((d) => d.kind)).toEqual(['status']);
    expect(declarationDifferences({ generation: 2, observedGeneration: 2, infrastructureStatus: 'SUSPENDED' })).toEqual([]);
  });

  it('the database: role, schemas and migrations against what SETUP_DATABASE recorded', () => {
    const recorded = recordedDatabase('t1', { isolation: 'SCHEMA_PER_TENANT', schemas: ['acme_ai', 'acme_bi'], role: 'acme_app', migrationVersion: 3 })!;
    expect(recorded.spec).toEqual({ tenantId: 't1', isolation: 'SCHEMA_PER_TENANT', schemas: ['acme_ai', 'acme_bi'], role: 'acme_app' });
    const seen = { rolePresent: false, databasePresent: false, schemasPresent: ['acme_bi'], migrationVersion: 2 };
    expect(databaseDifferences(recorded, seen).map((d) => d.message)).toEqual(['role acme_app missing', 'schema acme_ai missing', 'tenant migrations at version 2, want 3']);
    expect(databaseDifferences(recorded, { ...seen, rolePresent: true, schemasPresent: ['acme_ai', 'acme_bi'], migrationVersion: 3 })).toEqual([]);
    expect(recordedDatabase('t1', undefined)).toBeUndefined();
  });

  it('objects: only what the step recorded counts, and an object changed before the last job is not drift', async () => {
    const outputs = { CONFIGURE_NETWORKING: { objects: ['NetworkPolicy/a', 'NetworkPolicy/b'] } };
    const item = (name: string, step: string, changedAt?: Date) => ({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name, namespace: 'n', labels: { 'matih.ai/step': step }, ...(changedAt ? { changedAt } : {}),
    });
    const lastJob = new Date('2030-01-01T00:00:00Z');
    const seeing = (items: InventoryItem[]) => observation(outputs, { objects: () => Promise.resolve(items) });
    expect(await observeObjects('CONFIGURE_NETWORKING', seeing([item('a', 'CONFIGURE_NETWORKING', new Date(lastJob.getTime() - 1)), item('b', 'CONFIGURE_NETWORKING'), item('x', 'SOMETHING_ELSE')]))).toEqual([]);
    expect((await observeObjects('CONFIGURE_NETWORKING', seeing([item('a', 'CONFIGURE_NETWORKING', new Date(lastJob.getTime() + 1))]))).map((d) => d.message)).toEqual([
      'NetworkPolicy/a changed outside the control plane',
      'NetworkPolicy/b missing',
    ]);
    // A step that recorded nothing holds nothing to compare.
    expect(await observeObjects('DEPLOY_MONITORING', seeing([item('y', 'DEPLOY_MONITORING')]))).toEqual([]);
  });

  it('DNS: a parent zone that is gone, and a delegation that differs only in case', async () => {
    // observe reads through the observation, never through the step's driver.
    const step = createDnsZone({ dns: {} as DnsDriver }, { dnsTtl: 300 } as StepOptions);
    const outputs = { CREATE_DNS_ZONE: { zone: 'acme.matih.test', parentZone: 'matih.test', nameServers: ['ns1.matih.test'], loadBalancerIp: '10.240.0.1' } };
    const records = ['@', '*', 'api', 'bi'].map((name) => ({ name, type: 'A' as const, ttl: 300, values: ['10.240.0.1'] }));
    const zone = () => Promise.resolve({ exists: true, nameServers: ['ns1.matih.test'], records });
    expect((await step.observe!(observation(outputs, { zone }))).map((d) => d.message)).toEqual(['DNS zone matih.test missing']);
    const parent = { exists: true, nameServers: [], records: [{ name: 'acme', type: 'NS' as const, ttl: 300, values: ['NS1.matih.test'] }] };
    expect(await step.observe!(observation(outputs, { zone, parentZone: () => Promise.resolve(parent) }))).toEqual([]);
  });
});
