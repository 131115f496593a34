import type { EngineTelemetry } from './engine-telemetry.js';

/** What the desired-state reconciler is told (options) and tells (sweep summary, status). */

export interface ReconcilerOptions {
  /** Names this process in the sweep lease and as the actor of what it queues (the worker's owner). */
  owner: string;
  /** MATIH_RECONCILE_INTERVAL_S in ms; 0: no periodic sweep (wake-ups still reconcile). */
  intervalMs: number;
  /** MATIH_RECONCILE_MAX_JOBS: RECONCILE jobs open at once, across replicas. */
  maxJobs: number;
  /** Retries a RECONCILE job may make (MATIH_MAX_RETRIES). */
  maxRetries: number;
  /** Tenants read per query; default 250. */
  pageSize?: number;
  /**
   * Reads made tenant by tenant (a driver without a batched read: a zone on Azure or PowerDNS, a
   * cluster without an inventory) at most this many at once; default 16. A page's tenants are
   * observed together, their batched reads one per page.
   */
  parallelism?: number;
  /** How long the sweep lease lasts without renewal (it is renewed every page); default 60 s. */
  leaseMs?: number;
  /** Called when a job was queued, so this process's workers look at once. */
  onQueued?: () => void;
  /** Sweep durations and drift found, for metrics (engine-telemetry.ts); default: none. */
  telemetry?: EngineTelemetry;
}

/** What one pass did. `full`: every live tenant; `targeted`: the tenants a wake-up named. */
export interface SweepSummary {
  scope: 'full' | 'targeted';
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  tenantsChecked: number;
  /** Matched their declaration: last_reconciled_at set. */
  clean: number;
  /** Differed (drift, a newer generation, a failed last job). */
  drifted: number;
  jobsQueued: number;
  /** Differed but MATIH_RECONCILE_MAX_JOBS repairs were open: the next sweep takes them. */
  deferred: number;
  /** Could not be observed (a driver failed); the next sweep tries again. */
  errors: number;
  /** Why nothing was swept (another replica holds the sweep, or it is not due). */
  skipped?: string;
}

export interface ReconcilerStatus {
  intervalSeconds: number;
  maxJobs: number;
  /** This process's loop runs. */
  running: boolean;
  /** This process is in a pass now. */
  sweeping: boolean;
  owner: string;
  /** The replica sweeping now, if any. */
  leaseOwner: string | null;
  nextSweepAt: string | null;
  /** The last full sweep any replica finished. */
  lastSweep: (SweepSummary & { owner?: string }) | null;
  /** This process's last pass, full or targeted. */
  lastPass: SweepSummary | null;
  openReconcileJobs: number;
}
