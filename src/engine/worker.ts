import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { StepName } from '../domain/plans.js';
import { claimJob } from '../store/engine/claim-job.js';
import { LeaseLostError } from '../store/engine/lease-lost.js';
import { releaseLease, releaseLeasesOf } from '../store/engine/renew-lease.js';
import { isDatabaseUnavailable } from '../store/database-errors.js';
import type { Db } from '../store/open-database.js';
import type { StepHandler } from '../steps/step.js';
import { type EngineTelemetry, NO_ENGINE_TELEMETRY } from './engine-telemetry.js';
import { runJob } from './run-job.js';
import { Wakeup } from './wakeup.js';

export interface WorkerOptions {
  /** Identifies this worker in leases and the audit log; unique per process start. */
  owner?: string;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  backoffSeconds: readonly number[];
  rollbackOnFailure: boolean;
  rollbackAttempts?: number;
  /** Metrics of what the jobs do (engine-telemetry.ts); default: none. */
  telemetry?: EngineTelemetry;
}

/**
 * Claims due jobs and runs up to `concurrency` of them at once. Polling is the mechanism;
 * `wake()` (called when a job is created or changed in this process) only shortens the wait.
 * Any number of workers, in any number of replicas, can share one PostgreSQL server.
 */
export class Worker {
  readonly owner: string;
  private readonly running = new Set<Promise<void>>();
  /** Stop claiming, and end each run between steps. */
  private readonly stopping = new AbortController();
  /** Abort the steps in flight. */
  private readonly shutdown = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly wakeup = new Wakeup();
  /** Jobs this worker has run, finished or not: for tests and the health page. */
  jobsRun = 0;

  constructor(
    private readonly db: Db,
    private readonly steps: ReadonlyMap<StepName, StepHandler>,
    private readonly options: WorkerOptions,
    private readonly logger: Logger,
  ) {
    this.owner = options.owner ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  start(): void {
    if (this.loop || this.options.concurrency === 0) return;
    this.loop = this.run();
  }

  wake(): void {
    this.wakeup.wake();
  }

  /**
   * Stops claiming; lets each running job finish the step in flight for up to `finishWithinMs`
   * (then aborts it: it is run again wherever the job resumes), and hands every lease back, so
   * another replica's next poll takes the jobs instead of waiting for the leases to expire.
   */
  async stop(finishWithinMs = 0): Promise<void> {
    this.stopping.abort();
    this.wakeup.wake();
    await this.loop;
    const runs = Promise.allSettled([...this.running]);
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([runs.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(resolve, finishWithinMs, false)))]);
    clearTimeout(timer);
    if (!finished) this.logger.warn({ jobs: this.running.size, finishWithinMs }, 'steps still running at shutdown: aborting them; their jobs resume elsewhere');
    this.shutdown.abort();
    await runs;
    const released = await releaseLeasesOf(this.db, this.owner).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'could not release leases: they expire instead');
      return 0;
    });
    if (released > 0) this.logger.info({ jobs: released }, 'handed running jobs back');
  }

  private async run(): Promise<void> {
    const deps = {
      db: this.db,
      steps: this.steps,
      owner: this.owner,
      leaseMs: this.options.leaseMs,
      backoffSeconds: this.options.backoffSeconds,
      rollbackOnFailure: this.options.rollbackOnFailure,
      rollbackAttempts: this.options.rollbackAttempts ?? 3,
      logger: this.logger,
      telemetry: this.options.telemetry ?? NO_ENGINE_TELEMETRY,
    };
    while (!this.stopping.signal.aborted) {
      this.wakeup.clear();
      let claimed = false;
      try {
        while (this.running.size < this.options.concurrency && !this.stopping.signal.aborted) {
          const job = await claimJob(this.db, this.owner, this.options.leaseMs);
          if (!job) break;
          claimed = true;
          this.jobsRun++;
          const run = runJob(deps, job, this.shutdown.signal, this.stopping.signal)
            .catch(async (error: unknown) => {
              if (error instanceof LeaseLostError) this.logger.warn({ jobId: job.id }, error.message);
              else if (isDatabaseUnavailable(error)) await this.handBack(job.id, error);
              else if (!this.stopping.signal.aborted) this.logger.error({ err: error, jobId: job.id }, 'job run failed; it will be resumed');
            })
            .finally(() => {
              this.running.delete(run);
              this.wake();
            });
          this.running.add(run);
        }
      } catch (error) {
        if (!this.stopping.signal.aborted) this.logger.error({ err: error }, 'claiming jobs failed; retrying');
      }
      if (claimed && this.running.size < this.options.concurrency) continue;
      await this.wakeup.wait(this.options.pollMs);
    }
  }

  /**
   * The database went away mid-job. Its lease would hold the job for up to leaseMs; instead, as
   * soon as the database answers again, give it back so that a worker (this one, most likely)
   * resumes it at its step. If the database stays away longer than the lease, the lease expires
   * and the job is claimable anyway.
   */
  private async handBack(jobId: string, error: unknown): Promise<void> {
    this.logger.warn({ err: error, jobId }, 'lost the database mid-job; handing the job back when it answers');
    const deadline = Date.now() + this.options.leaseMs;
    while (Date.now() < deadline && !this.shutdown.signal.aborted) {
      // A pause first: an instant release and re-claim would spin while the database is flapping.
      await new Promise((resolve) => setTimeout(resolve, 500));
      try {
        await releaseLease(this.db, jobId, this.owner);
        return;
      } catch {
        // Still unreachable: try again until the lease would have run out anyway.
      }
    }
  }
}
