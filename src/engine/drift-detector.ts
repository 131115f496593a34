import type { ClusterDriver, DnsDriver, DnsZoneObservation, InventoryItem, TenantDatabaseDriver } from '../drivers/contract.js';
import { KIND } from '../steps/support/cluster-step.js';
import { LABEL } from '../steps/manifests/index.js';
import type { ReconcileCandidate } from '../store/reconcile/list-reconcile-candidates.js';
import {
  type Difference,
  compareCertificate,
  compareDatabase,
  compareDeclaration,
  compareDelegation,
  compareObjects,
  compareZone,
  expectedDatabase,
  expectedObjects,
  expectedZone,
} from './reconcile-expectations.js';

export interface DriftDetectorDrivers {
  cluster: ClusterDriver;
  tenantDatabase: TenantDatabaseDriver;
  dns: DnsDriver;
}

export interface DriftDetectorOptions {
  /** The TTL CREATE_DNS_ZONE writes (MATIH_DNS_TTL); records with another are drift. */
  dnsTtl?: number;
  now?: () => Date;
}

/**
 * What one sweep observes once and shares between tenants: parent zones, which hold a delegation
 * per tenant (reading one per tenant would read every tenant's delegation every time).
 */
export class SweepScope {
  private readonly zones = new Map<string, { read: Promise<DnsZoneObservation>; at: number }>();

  constructor(private readonly dns: DnsDriver) {}

  /** The zone as read during this sweep; with `since`, as read at or after that instant. */
  parentZone(name: string, since = 0): Promise<DnsZoneObservation> {
    const cached = this.zones.get(name);
    if (cached && cached.at >= since) return cached.read;
    const entry = { read: this.dns.observeZone(name), at: Date.now() };
    this.zones.set(name, entry);
    // A failed read is not cached: the next tenant tries again.
    void entry.read.catch(() => {
      if (this.zones.get(name) === entry) this.zones.delete(name);
    });
    return entry.read;
  }
}

/** A tenant's differences, or why it could not be observed. */
export type Observed = { candidate: ReconcileCandidate; differences: Difference[] } | { candidate: ReconcileCandidate; error: unknown };

/**
 * Observes live tenants' resources through the drivers and compares them with what their steps
 * recorded (reconcile-expectations.ts): objects in the cluster, schemas and role in the database,
 * DNS records and delegation, the certificate's expiry, the declaration's generation. A page of
 * tenants at a time: the cluster's inventory of the whole page is one driver call (or one list per
 * kind and tenant on a driver without it); the rest is per tenant, `parallelism` at once. Changes
 * nothing.
 */
export class DriftDetector {
  private readonly now: () => Date;

  constructor(
    private readonly drivers: DriftDetectorDrivers,
    private readonly options: DriftDetectorOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  beginSweep(): SweepScope {
    return new SweepScope(this.drivers.dns);
  }

  /** Every difference of one tenant, drift and declaration alike; empty when it matches. */
  async detect(candidate: ReconcileCandidate, scope: SweepScope = this.beginSweep()): Promise<Difference[]> {
    const [observed] = await this.detectPage([candidate], scope, 1);
    if (observed && 'differences' in observed) return observed.differences;
    throw asError(observed?.error);
  }

  /** Each tenant's differences (or the error that kept it from being observed), in the order given. */
  async detectPage(candidates: readonly ReconcileCandidate[], scope: SweepScope, parallelism: number): Promise<Observed[]> {
    const observedFrom = Date.now();
    // The page's inventory runs while the tenants' databases and zones are observed.
    const page = this.inventories(candidates.filter((c) => expectedObjects(c.phaseOutputs, c.tier).size > 0)).then(
      (inventories) => ({ inventories }),
      (error: unknown) => ({ error }),
    );
    return mapBounded(candidates, parallelism, async (candidate): Promise<Observed> => {
      try {
        const [objects, database, dns] = await Promise.all([this.objects(candidate, page), this.database(candidate), this.zone(candidate, scope, observedFrom)]);
        const differences = [...compareDeclaration(candidate), ...objects, ...database, ...dns, ...compareCertificate(candidate.phaseOutputs, this.now())];
        return { candidate, differences };
      } catch (error) {
        return { candidate, error };
      }
    });
  }

  private async objects(c: ReconcileCandidate, page: Promise<{ inventories?: Map<string, InventoryItem[]> | undefined; error?: unknown }>): Promise<Difference[]> {
    const expected = expectedObjects(c.phaseOutputs, c.tier);
    if (expected.size === 0) return [];
    const { inventories, error } = await page;
    if (error !== undefined) throw asError(error);
    const inventory = inventories ? (inventories.get(c.tenantId) ?? []) : await this.listKindByKind(c);
    return compareObjects(expected, inventory, c.lastJobCommitAt);
  }

  /** The page's inventory in one call; undefined when the driver has none (tenants are then listed one by one). */
  private async inventories(candidates: readonly ReconcileCandidate[]): Promise<Map<string, InventoryItem[]> | undefined> {
    const { cluster } = this.drivers;
    if (!cluster.inventory) return undefined;
    if (candidates.length === 0) return new Map();
    const answers = await cluster.inventory(candidates.map((c) => ({ labels: { [LABEL.tenantId]: c.tenantId }, namespace: c.namespace })));
    return new Map(candidates.map((c, i) => [c.tenantId, answers[i] ?? []]));
  }

  /** A driver without an inventory (the Kubernetes one): one list per kind a step may own. */
  private async listKindByKind(c: ReconcileCandidate): Promise<InventoryItem[]> {
    const labels = { [LABEL.tenantId]: c.tenantId };
    const { cluster } = this.drivers;
    const lists = await Promise.all(
      Object.values(KIND).map((kind) => cluster.list(kind, labels, kind.kind === KIND.Namespace.kind ? undefined : c.namespace)),
    );
    return lists.flat().map((o) => ({
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name,
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      labels: o.metadata.labels ?? {},
    }));
  }

  private async database(c: ReconcileCandidate): Promise<Difference[]> {
    const expected = expectedDatabase(c.tenantId, c.phaseOutputs);
    if (!expected) return [];
    return compareDatabase(expected, await this.drivers.tenantDatabase.observe(expected.spec));
  }

  private async zone(c: ReconcileCandidate, scope: SweepScope, observedFrom: number): Promise<Difference[]> {
    const expected = expectedZone(c.slug, c.phaseOutputs);
    if (!expected) return [];
    const ttl = this.options.dnsTtl;
    const [zone, parent] = await Promise.all([this.drivers.dns.observeZone(expected.zone), scope.parentZone(expected.parentZone)]);
    let delegation = compareDelegation(expected, parent, ttl);
    // The shared parent may have been read before this page was, and a delegation written since
    // looks missing in it: a difference counts only if a read no older than the page confirms it
    // (one re-read serves the whole page).
    if (delegation.length > 0) delegation = compareDelegation(expected, await scope.parentZone(expected.parentZone, observedFrom), ttl);
    return [...compareZone(expected, zone, ttl), ...delegation];
  }
}

/** fn over items, at most `limit` at once, results in input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(`could not observe the tenant: ${String(error)}`);
}
