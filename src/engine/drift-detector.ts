import { type Difference, declarationDifferences } from '../domain/drift.js';
import { type StepName, planFor } from '../domain/plans.js';
import { JobKind } from '../domain/provisioning.js';
import type {
  ClusterDriver,
  DnsDriver,
  DnsZoneObservation,
  InventoryItem,
  TenantDatabaseDriver,
  TenantDatabaseObservation,
  TenantDatabaseSpec,
} from '../drivers/contract.js';
import { LABEL } from '../steps/manifests/index.js';
import type { StepHandler, TenantObservation } from '../steps/step.js';
import { KIND } from '../steps/support/cluster-step.js';
import type { ReconcileCandidate } from '../store/reconcile/list-reconcile-candidates.js';
import { BatchedReads, limiter, oneByOne } from './page-reads.js';

export interface DriftDetectorDrivers {
  cluster: ClusterDriver;
  tenantDatabase: TenantDatabaseDriver;
  dns: DnsDriver;
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

export interface DriftDetectorOptions {
  now?: () => Date;
}

/**
 * Observes live tenants through the drivers and lets each step that a repair would run again
 * compare what it recorded with what is there (the step's observe: objects in the cluster, the
 * database, DNS records and delegation, the certificate's expiry), plus the declaration's
 * generation. It compares nothing itself: it reads, once, what the steps compare. A page of
 * tenants at a time, all of them at once: the cluster's inventory of the whole page is one driver
 * call, and the databases and zones the page's steps ask for are read together (page-reads.ts),
 * one observeMany and one observeZones per page where the drivers have them. What a driver can
 * only read one at a time (a zone on Azure, the kinds of a tenant on a cluster without an
 * inventory) is read `parallelism` at once. Changes nothing.
 */
export class DriftDetector {
  private readonly now: () => Date;

  constructor(
    private readonly drivers: DriftDetectorDrivers,
    private readonly steps: ReadonlyMap<StepName, StepHandler>,
    options: DriftDetectorOptions = {},
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
    const inventory = this.inventories(candidates).then(
      (inventories) => ({ inventories }),
      (error: unknown) => ({ error }),
    );
    const page: PageReads = { inventory, ...this.pageReads(parallelism), gate: limiter(parallelism) };
    // Every tenant at once: their steps' asks land in the same batches (see page-reads.ts).
    return Promise.all(
      candidates.map(async (candidate): Promise<Observed> => {
        try {
          const observation = this.observation(candidate, scope, observedFrom, page);
          const byStep = await Promise.all(
            planFor(candidate.tier, JobKind.RECONCILE).steps.map((step) => this.steps.get(step.name)?.observe?.(observation) ?? Promise.resolve([])),
          );
          return { candidate, differences: [...declarationDifferences(candidate), ...byStep.flat()] };
        } catch (error) {
          return { candidate, error };
        }
      }),
    );
  }

  /** The batched reads of one page: a database and a zone each read once, however many tenants and steps ask. */
  private pageReads(parallelism: number): Pick<PageReads, 'databases' | 'zones'> {
    const { tenantDatabase, dns } = this.drivers;
    const observeMany = tenantDatabase.observeMany?.bind(tenantDatabase);
    const observeZones = dns.observeZones?.bind(dns);
    return {
      databases: new BatchedReads<TenantDatabaseSpec, TenantDatabaseObservation>(
        observeMany ?? oneByOne((spec) => tenantDatabase.observe(spec), parallelism),
        (spec) => JSON.stringify([spec.tenantId, spec.isolation, spec.role, spec.database ?? null, spec.schemas]),
      ),
      zones: new BatchedReads<string, DnsZoneObservation>(observeZones ?? oneByOne((name) => dns.observeZone(name), parallelism), (name) => name),
    };
  }

  /** What the steps may read of one tenant: the page's reads, each made once however many steps ask. */
  private observation(c: ReconcileCandidate, scope: SweepScope, observedFrom: number, page: PageReads): TenantObservation {
    const objects = once(async () => {
      const { inventories, error } = await page.inventory;
      if (error !== undefined) throw asError(error);
      return inventories ? (inventories.get(c.tenantId) ?? []) : page.gate(() => this.listKindByKind(c));
    });
    return {
      tenantId: c.tenantId,
      slug: c.slug,
      outputs: c.phaseOutputs,
      lastJobCommitAt: c.lastJobCommitAt,
      now: this.now(),
      objects,
      database: (spec) => page.databases.load(spec),
      zone: (name) => page.zones.load(name),
      parentZone: (name, confirm = false) => scope.parentZone(name, confirm ? observedFrom : 0),
    };
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
}

type PageInventory = { inventories?: Map<string, InventoryItem[]> | undefined; error?: unknown };

interface PageReads {
  inventory: Promise<PageInventory>;
  databases: BatchedReads<TenantDatabaseSpec, TenantDatabaseObservation>;
  zones: BatchedReads<string, DnsZoneObservation>;
  /** Bounds what is read tenant by tenant (a cluster without an inventory). */
  gate: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** fn's promise, made on the first call and shared by every later one. */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= fn());
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(`could not observe the tenant: ${String(error)}`);
}
