import { renewLease } from '../store/engine/renew-lease.js';
import type { Db } from '../store/open-database.js';

export interface Heartbeat {
  /** True once someone asked (through the API) to cancel the job. */
  readonly cancelRequested: boolean;
  /** True once a renewal found the lease taken (the step's signal was aborted for it). */
  readonly leaseLost: boolean;
  stop(): void;
}

/**
 * Renews the job's lease every third of its length while a step runs. If the lease is lost
 * (another worker took the job), or a cancel was requested, the step's signal is aborted so it
 * stops waiting; the worker's next write would fail its compare-and-set anyway.
 */
export function startHeartbeat(db: Db, jobId: string, owner: string, leaseMs: number, controller: AbortController): Heartbeat {
  let cancelRequested = false;
  let leaseLost = false;
  let beating = false;
  const timer = setInterval(() => {
    if (beating) return;
    beating = true;
    renewLease(db, jobId, owner, leaseMs)
      .then(({ held, cancelRequested: cancel }) => {
        if (!held) {
          leaseLost = true;
          controller.abort(new Error('lease lost'));
        } else if (cancel && !cancelRequested) {
          cancelRequested = true;
          controller.abort(new Error('cancel requested'));
        }
      })
      // A failed renewal is retried at the next beat; the lease outlives two missed beats.
      .catch(() => undefined)
      .finally(() => {
        beating = false;
      });
  }, Math.max(50, Math.floor(leaseMs / 3)));
  timer.unref();
  return {
    get cancelRequested() {
      return cancelRequested;
    },
    get leaseLost() {
      return leaseLost;
    },
    stop: () => clearInterval(timer),
  };
}
