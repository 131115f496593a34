import { DriverError, type TerraformLockAcquisition, type TerraformStateLocks } from '../../drivers/contract.js';
import type { StepContext } from '../step.js';

/**
 * Takes (or renews) the Terraform state lock for this job; fails retryably while another job
 * holds it: that job ends or its lease runs out, and then the lock is free.
 */
export async function takeStateLock(
  locks: TerraformStateLocks,
  ctx: StepContext,
  stateKey: string,
  leaseMs: number,
): Promise<Extract<TerraformLockAcquisition, { acquired: true }>> {
  const lock = await locks.acquire(stateKey, ctx.jobId, leaseMs);
  if (!lock.acquired) {
    throw new DriverError(`Terraform state ${stateKey} is locked by job ${lock.holderJobId} (until ${lock.expiresAt.toISOString()} at the latest)`, true);
  }
  return lock;
}

/**
 * Runs `work` holding the state lock: taken (or renewed) first, renewed every third of its lease
 * while Terraform runs, and if it is lost all the same (taken over after a stall), Terraform is
 * interrupted rather than left running beside the new holder.
 */
export async function underStateLock<T>(
  locks: TerraformStateLocks,
  ctx: StepContext,
  stateKey: string,
  leaseMs: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  await takeStateLock(locks, ctx, stateKey, leaseMs);
  const controller = new AbortController();
  const onAbort = () => controller.abort(ctx.signal.reason);
  if (ctx.signal.aborted) onAbort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const renew = setInterval(() => {
    locks.acquire(stateKey, ctx.jobId, leaseMs).then(
      (lock) => {
        if (!lock.acquired) controller.abort(new Error(`lost the Terraform state lock ${stateKey} to job ${lock.holderJobId}`));
      },
      // A failed renewal (database briefly away) is tried again next time; the lease has slack for it.
      () => undefined,
    );
  }, Math.max(1000, Math.floor(leaseMs / 3)));
  try {
    return await work(controller.signal);
  } finally {
    clearInterval(renew);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}
