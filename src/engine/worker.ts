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
}

/**
 * Claims due jobs and runs up to `concurrency` of them at once. Polling is the mechanism;
 * `wake()` (called when a job is created or changed in this process) only shortens the wait.
 * Any number of workers, in any number of replicas, can share one PostgreSQL server.
 */
export class Worker {
  readonly owner: string;
  private readonly running = new Set<Promise<void>>();
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

  /** Stops claiming, aborts the steps in flight (their jobs resume elsewhere) and waits for them. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    this.wakeup.wake();
    await this.loop;
    await Promise.allSettled([...this.running]);
    await releaseLeasesOf(this.db, this.owner).catch((error: unknown) => this.logger.warn({ err: error }, 'could not release leases'));
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
    };
    while (!this.shutdown.signal.aborted) {
      this.wakeup.clear();
      let claimed = false;
      try {
        while (this.running.size < this.options.concurrency && !this.shutdown.signal.aborted) {
          const job = await claimJob(this.db, this.owner, this.options.leaseMs);
          if (!job) break;
          claimed = true;
          this.jobsRun++;
          const run = runJob(deps, job, this.shutdown.signal)
            .catch(async (error: unknown) => {
              if (error instanceof LeaseLostError) this.logger.warn({ jobId: job.id }, error.message);
              else if (isDatabaseUnavailable(error)) await this.handBack(job.id, error);
              else if (!this.shutdown.signal.aborted) this.logger.error({ err: error, jobId: job.id }, 'job run failed; it will be resumed');
            })
            .finally(() => {
              this.running.delete(run);
              this.wake();
            });
          this.running.add(run);
        }
      } catch (error) {
        if (!this.shutdown.signal.aborted) this.logger.error({ err: error }, 'claiming jobs failed; retrying');
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
