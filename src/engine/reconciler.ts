import type { Logger } from 'pino';
import type { Db } from '../store/open-database.js';
import { claimSweep } from '../store/reconcile/claim-sweep.js';
import { finishSweep } from '../store/reconcile/finish-sweep.js';
import { type ReconcileCandidate, listReconcileCandidates } from '../store/reconcile/list-reconcile-candidates.js';
import { markReconciled } from '../store/reconcile/mark-reconciled.js';
import { queueReconcile } from '../store/reconcile/queue-reconcile.js';
import { readSweepState } from '../store/reconcile/read-sweep-state.js';
import { renewSweep } from '../store/reconcile/renew-sweep.js';
import type { DriftDetector } from './drift-detector.js';
import { type Difference, isDrift } from '../domain/drift.js';
import type { ReconcilerOptions, ReconcilerStatus, SweepSummary } from './reconciler-types.js';
import { NO_ENGINE_TELEMETRY } from './engine-telemetry.js';
import { inSpan } from '../shared/tracing.js';
import { Wakeup } from './wakeup.js';

export type { ReconcilerOptions, ReconcilerStatus, SweepSummary } from './reconciler-types.js';

interface PassResult {
  summary: SweepSummary;
  /** For a pass that did not run: when to look again. */
  waitMs: number;
  deferredIds: string[];
}

/** A targeted tenant deferred for the job bound is tried again after this (or the interval, if shorter). */
const DEFERRED_RETRY_MS = 5_000;

/**
 * spec/000's InfrastructureReconciler, level-triggered (DESIGN.md section 4): every interval it
 * sweeps every ACTIVE or SUSPENDED tenant with no job in flight, a page at a time; observes each
 * (DriftDetector, a bounded number at once); marks those that match their declaration; and for
 * each that differs queues ONE RECONCILE job, which repairs through the same steps as
 * provisioning. It queues at most `maxJobs` open RECONCILE jobs (the rest wait for the next
 * sweep) and the workers claim repairs after every other due job, so drift never starves a new
 * tenant. A declaration change wakes it for that tenant at once (`wake(tenantId)`).
 *
 * Several replicas share one sweep through a lease row (store/reconcile/claim-sweep.ts): N
 * replicas sweep once per interval between them. Queueing is safe without it (the tenant's lock
 * and the one-open-job index make a second job impossible); the lease saves the double work.
 */
export class InfrastructureReconciler {
  private readonly shutdown = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly wakeup = new Wakeup();
  private fullRequested = false;
  private nextFullAt = Infinity;
  /** Tenants a wake-up named, looked at on the next turn of the loop. */
  private readonly targets = new Set<string>();
  /** Named tenants the job bound deferred, looked at again from `retryDeferredAt`. */
  private readonly deferred = new Set<string>();
  private retryDeferredAt = Infinity;
  private chain: Promise<unknown> = Promise.resolve();
  private sweeping = false;
  private lastPass: SweepSummary | null = null;

  constructor(
    private readonly db: Db,
    private readonly detector: DriftDetector,
    private readonly options: ReconcilerOptions,
    private readonly logger: Logger,
  ) {}

  /** Starts the loop: a first sweep at once when the interval is set, then one per interval. */
  start(): void {
    if (this.loop || this.shutdown.signal.aborted) return;
    if (this.options.intervalMs > 0) this.nextFullAt = Date.now();
    this.loop = this.run();
  }

  /** Stops the loop; a pass in progress ends after its current page. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    this.wakeup.wake();
    await this.loop;
    await this.chain;
  }

  /**
   * A declaration changed: with a tenant id, that tenant is looked at now; without, a full sweep
   * runs now. Only shortens the wait: the periodic sweep would find the same.
   */
  wake(tenantId?: string): void {
    if (tenantId === undefined) this.fullRequested = true;
    else this.targets.add(tenantId);
    this.wakeup.wake();
  }

  /** One full sweep now, whatever the interval (tests, operators). Waits for a pass in progress first. */
  async sweepOnce(): Promise<SweepSummary> {
    return (await this.serialized(() => this.pass(undefined, true))).summary;
  }

  async status(): Promise<ReconcilerStatus> {
    const shared = await readSweepState(this.db);
    return {
      intervalSeconds: this.options.intervalMs / 1000,
      maxJobs: this.options.maxJobs,
      running: this.loop !== undefined && !this.shutdown.signal.aborted,
      sweeping: this.sweeping,
      owner: this.options.owner,
      leaseOwner: shared.leaseOwner,
      nextSweepAt: this.options.intervalMs > 0 ? (shared.nextSweepAt?.toISOString() ?? null) : null,
      lastSweep: shared.lastSweep as ReconcilerStatus['lastSweep'],
      lastPass: this.lastPass,
      openReconcileJobs: shared.openReconcileJobs,
    };
  }

  private async run(): Promise<void> {
    const interval = this.options.intervalMs;
    while (!this.shutdown.signal.aborted) {
      this.wakeup.clear();
      try {
        if (Date.now() >= this.retryDeferredAt) {
          for (const id of this.deferred) this.targets.add(id);
          this.deferred.clear();
          this.retryDeferredAt = Infinity;
        }
        if (this.targets.size > 0) {
          const ids = [...this.targets];
          this.targets.clear();
          const { deferredIds } = await this.serialized(() => this.pass(ids, false)).catch((error: unknown) => {
            this.defer(ids);
            throw error;
          });
          if (deferredIds.length > 0) this.defer(deferredIds);
        }
        if (this.fullRequested || Date.now() >= this.nextFullAt) {
          const force = this.fullRequested;
          this.fullRequested = false;
          const { summary, waitMs } = await this.serialized(() => this.pass(undefined, force));
          if (interval > 0) this.nextFullAt = Date.now() + (summary.skipped ? Math.max(100, Math.min(waitMs, interval)) : interval);
        }
      } catch (error) {
        if (this.shutdown.signal.aborted) break;
        this.logger.error({ err: error }, 'reconcile pass failed; trying again');
        if (interval > 0) this.nextFullAt = Date.now() + interval;
      }
      // Infinity (no periodic sweep, nothing deferred): only a wake-up ends the wait.
      if (!this.shutdown.signal.aborted) await this.wakeup.wait(Math.min(this.nextFullAt, this.retryDeferredAt) - Date.now());
    }
  }

  private defer(ids: readonly string[]): void {
    for (const id of ids) this.deferred.add(id);
    const interval = this.options.intervalMs;
    if (this.retryDeferredAt === Infinity) this.retryDeferredAt = Date.now() + (interval > 0 ? Math.min(interval, DEFERRED_RETRY_MS) : DEFERRED_RETRY_MS);
  }

  /** Passes never overlap in one process: a sweepOnce waits for the loop's pass, and the other way round. */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** A full sweep (`tenantIds` undefined, under the sweep lease) or a pass over the named tenants. */
  private async pass(tenantIds: readonly string[] | undefined, force: boolean): Promise<PassResult> {
    const full = tenantIds === undefined;
    const started = new Date();
    const summary: SweepSummary = {
      scope: full ? 'full' : 'targeted',
      startedAt: started.toISOString(),
      finishedAt: started.toISOString(),
      durationMs: 0,
      tenantsChecked: 0,
      clean: 0,
      drifted: 0,
      jobsQueued: 0,
      deferred: 0,
      errors: 0,
    };
    const leaseMs = this.options.leaseMs ?? 60_000;
    if (full) {
      const claim = await claimSweep(this.db, { owner: this.options.owner, leaseMs, force });
      if (!claim.claimed) {
        summary.skipped = claim.leaseOwner ? `replica ${claim.leaseOwner} is sweeping` : 'the next sweep is not due yet';
        return { summary, waitMs: claim.waitMs, deferredIds: [] };
      }
    }
    // A span per pass that runs (not per skipped one): the drivers' reads are its children, and
    // the RECONCILE jobs it queues continue its trace (shared/tracing.ts; nothing unless traced).
    return inSpan(`reconcile ${summary.scope}`, { attributes: { 'reconcile.scope': summary.scope, 'reconcile.owner': this.options.owner } }, async (span) => {
      const result = await this.sweep(tenantIds, summary, started, leaseMs);
      span.setAttributes({ 'reconcile.tenants_checked': summary.tenantsChecked, 'reconcile.drifted': summary.drifted, 'reconcile.jobs_queued': summary.jobsQueued });
      return result;
    });
  }

  /** The pass itself, once the sweep lease (for a full one) is held. */
  private async sweep(tenantIds: readonly string[] | undefined, summary: SweepSummary, started: Date, leaseMs: number): Promise<PassResult> {
    const full = tenantIds === undefined;
    const telemetry = this.options.telemetry ?? NO_ENGINE_TELEMETRY;
    const deferredIds: string[] = [];
    let completed = false;
    this.sweeping = true;
    try {
      const scope = this.detector.beginSweep();
      const pageSize = this.options.pageSize ?? 250;
      const list = (after: string | undefined) => {
        const read = listReconcileCandidates(this.db, { after, limit: pageSize, tenantIds });
        // A page read ahead and then not wanted (the sweep stopped) must not fail unheard.
        read.catch(() => undefined);
        return read;
      };
      let next = list(undefined);
      let budgetFull = false;
      while (!this.shutdown.signal.aborted) {
        const page = await next;
        const last = page.at(-1);
        const more = page.length >= pageSize && last !== undefined;
        // The next page is read while this one is observed: keyset paging needs only its last id.
        if (more) next = list(last.tenantId);
        const observed = await this.detector.detectPage(page, scope, this.options.parallelism ?? 16);
        const clean: string[] = [];
        for (const result of observed) {
          const { candidate } = result;
          summary.tenantsChecked++;
          if ('error' in result) {
            summary.errors++;
            this.logger.warn({ err: result.error, tenantId: candidate.tenantId }, 'could not observe the tenant; the next sweep tries again');
            continue;
          }
          const { differences } = result;
          if (differences.length === 0) clean.push(candidate.tenantId);
          else {
            summary.drifted++;
            for (const difference of differences) telemetry.driftFound(difference.kind);
            const outcome = budgetFull ? 'budget' : await this.queue(candidate, differences);
            if (outcome === 'queued') summary.jobsQueued++;
            else if (outcome === 'budget') {
              budgetFull = true;
              summary.deferred++;
              deferredIds.push(candidate.tenantId);
            }
          }
        }
        await markReconciled(this.db, clean);
        summary.clean += clean.length;
        if (!more) {
          completed = true;
          break;
        }
        if (full && !(await renewSweep(this.db, this.options.owner, leaseMs))) {
          this.logger.warn('the reconcile sweep lease was taken over; this sweep stops');
          break;
        }
      }
    } finally {
      this.sweeping = false;
      const finished = new Date();
      summary.finishedAt = finished.toISOString();
      summary.durationMs = finished.getTime() - started.getTime();
      if (full) {
        telemetry.sweepFinished(summary.durationMs / 1000);
        await finishSweep(this.db, this.options.owner, this.options.intervalMs, { ...summary }, completed).catch((error: unknown) =>
          this.logger.warn({ err: error }, 'could not record the end of the reconcile sweep'),
        );
      }
    }
    this.lastPass = summary;
    const level = summary.jobsQueued > 0 || summary.errors > 0 ? 'info' : 'debug';
    this.logger[level]({ ...summary }, 'reconcile pass done');
    return { summary, waitMs: 0, deferredIds };
  }

  /** budget: MATIH_RECONCILE_MAX_JOBS repairs are open; skip: the tenant moved on (a job in flight or just run). */
  private async queue(candidate: ReconcileCandidate, differences: Difference[]): Promise<'queued' | 'budget' | 'skip'> {
    const outcome = await queueReconcile(this.db, {
      tenantId: candidate.tenantId,
      observedUnderJobId: candidate.stateJobId,
      maxOpen: this.options.maxJobs,
      maxRetries: this.options.maxRetries,
      actor: 'reconciler',
      drift: differences.filter(isDrift).map((d) => ({ step: d.step, message: d.message })),
      reasons: differences.map((d) => d.message),
    });
    if (outcome.queued) {
      this.logger.info({ tenantId: candidate.tenantId, jobId: outcome.jobId, differences: differences.map((d) => d.message) }, 'tenant differs from its declaration; repair queued');
      this.options.onQueued?.();
      return 'queued';
    }
    // A job in flight or just run: the next sweep looks at the tenant afresh.
    return outcome.why === 'budget' ? 'budget' : 'skip';
  }
}
