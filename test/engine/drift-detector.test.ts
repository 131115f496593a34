import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespaceFor } from '../../src/domain/tenant.js';
import type { ClusterDriver } from '../../src/drivers/contract.js';
import { DriftDetector } from '../../src/engine/drift-detector.js';
import {
  compareCertificate,
  compareDatabase,
  compareDeclaration,
  compareDelegation,
  compareObjects,
  expectedDatabase,
} from '../../src/engine/reconcile-expectations.js';
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
    return new DriftDetector({ cluster, tenantDatabase: engine.tenantDatabase, dns: engine.dns }, { dnsTtl: 300 });
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
});

describe('the comparisons of the drift detector', () => {
  const now = new Date('2030-01-01T00:00:00Z');

  it('a certificate the step would renew: within 30 days of expiry, or expired', () => {
    const at = (days: number) => ({ CREATE_TENANT_INGRESS: { notAfter: new Date(now.getTime() + days * DAY + 3600_000).toISOString() } });
    expect(compareCertificate(at(12), now).map((d) => d.message)).toEqual(['certificate expires in 12 days']);
    expect(compareCertificate(at(45), now)).toEqual([]);
    const [expired] = compareCertificate(at(-2), now);
    expect(expired).toMatchObject({ kind: 'certificate', step: 'CREATE_TENANT_INGRESS' });
    expect(expired?.message).toMatch(/^certificate expired on 2029-12-30/);
    // cert-manager's certificates carry no notAfter: it renews them itself.
    expect(compareCertificate({ CREATE_TENANT_INGRESS: { tls: 'cert-manager' } }, now)).toEqual([]);
  });

  it('a declaration ahead of what was reached, and a last job that failed', () => {
    expect(compareDeclaration({ generation: 3, observedGeneration: 2, infrastructureStatus: 'ACTIVE' })).toEqual([{ kind: 'generation', step: null, message: 'generation 3, observed 2' }]);
    expect(compareDeclaration({ generation: 2, observedGeneration: 2, infrastructureStatus: 'FAILED' }).map((d) => d.kind)).toEqual(['status']);
    expect(compareDeclaration({ generation: 2, observedGeneration: 2, infrastructureStatus: 'SUSPENDED' })).toEqual([]);
  });

  it('the database: role, schemas and migrations against what SETUP_DATABASE recorded', () => {
    const expected = expectedDatabase('t1', { SETUP_DATABASE: { isolation: 'SCHEMA_PER_TENANT', schemas: ['acme_ai', 'acme_bi'], role: 'acme_app', migrationVersion: 3 } })!;
    expect(expected.spec).toEqual({ tenantId: 't1', isolation: 'SCHEMA_PER_TENANT', schemas: ['acme_ai', 'acme_bi'], role: 'acme_app' });
    const seen = { rolePresent: false, databasePresent: false, schemasPresent: ['acme_bi'], migrationVersion: 2 };
    expect(compareDatabase(expected, seen).map((d) => d.message)).toEqual(['role acme_app missing', 'schema acme_ai missing', 'tenant migrations at version 2, want 3']);
    expect(compareDatabase(expected, { ...seen, rolePresent: true, schemasPresent: ['acme_ai', 'acme_bi'], migrationVersion: 3 })).toEqual([]);
    expect(expectedDatabase('t1', {})).toBeUndefined();
  });

  it('objects: only steps that recorded objects count, and an object changed before the last job is not drift', () => {
    const expected = new Map([['CONFIGURE_NETWORKING' as const, new Set(['NetworkPolicy/a', 'NetworkPolicy/b'])]]);
    const item = (name: string, step: string, changedAt?: Date) => ({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name, namespace: 'n', labels: { 'matih.ai/step': step }, ...(changedAt ? { changedAt } : {}),
    });
    const lastJob = new Date('2030-01-01T00:00:00Z');
    expect(compareObjects(expected, [item('a', 'CONFIGURE_NETWORKING', new Date(lastJob.getTime() - 1)), item('b', 'CONFIGURE_NETWORKING'), item('x', 'SOMETHING_ELSE')], lastJob)).toEqual([]);
    expect(compareObjects(expected, [item('a', 'CONFIGURE_NETWORKING', new Date(lastJob.getTime() + 1))], lastJob).map((d) => d.message)).toEqual([
      'NetworkPolicy/a changed outside the control plane',
      'NetworkPolicy/b missing',
    ]);
  });

  it('a parent zone that is gone', () => {
    const expected = { zone: 'acme.matih.test', parentZone: 'matih.test', delegation: 'acme', nameServers: ['ns1.matih.test'], address: '10.240.0.1' };
    expect(compareDelegation(expected, { exists: false, nameServers: [], records: [] }).map((d) => d.message)).toEqual(['DNS zone matih.test missing']);
    expect(compareDelegation(expected, { exists: true, nameServers: [], records: [{ name: 'acme', type: 'NS', ttl: 300, values: ['NS1.matih.test'] }] }, 300)).toEqual([]);
  });
});
