import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError, type ObjectRef, type ReadyWait } from '../contract.js';
import { describeRef } from '../kubernetes/object-refs.js';
import type { SimObjectRecord } from '../../shared/simulated-cluster-store.js';
import { keyOfRef } from './sim-kinds.js';
import { sameKey } from './sim-object-keys.js';
import { isSimReady, simPendingReason } from './sim-readiness.js';

/** One look at the objects waited for. */
export interface ReadyCheck {
  /** What is not ready, and why ("apps/v1 Deployment ns/web" -> reason). Empty: done. */
  notReady: ReadonlyMap<string, string>;
  /** The earliest time (epoch ms) something waited for becomes ready by itself, if any will. */
  nextReadyAt: number | undefined;
}

/**
 * Polls `check` until nothing is left not ready: every `pollMs` (something else may make an
 * object ready: markReady, another replica), and exactly at the earliest ready_at in between, so
 * a wait ends when the object becomes ready rather than up to a poll later. Rejects with a
 * retryable DriverError naming what is not ready after `timeoutMs`, and with `signal.reason` as
 * soon as the signal aborts. Leaves no timer or listener behind, whichever way it ends.
 */
export async function pollUntilReady(check: () => Promise<ReadyCheck>, wait: ReadyWait, pollMs: number): Promise<void> {
  wait.signal.throwIfAborted();
  const stop = new AbortController();
  let last: ReadyCheck | undefined;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const givenUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const what = last ? [...last.notReady].map(([ref, why]) => `${ref} (${why})`).join('; ') : 'not checked yet';
      reject(new DriverError(`not ready after ${wait.timeoutMs} ms: ${what}`, true));
    }, wait.timeoutMs);
    // The caller's reason, as given (an AbortError DOMException unless it chose another).
    onAbort = () => reject(wait.signal.reason as Error);
    wait.signal.addEventListener('abort', onAbort, { once: true });
  });

  const polling = (async () => {
    while (!stop.signal.aborted) {
      last = await check();
      if (last.notReady.size === 0) return;
      const untilReady = last.nextReadyAt === undefined ? Infinity : last.nextReadyAt - Date.now();
      // At least 1 ms, so a ready_at that the clock has not quite reached cannot spin the loop.
      const pause = Math.max(1, Math.min(pollMs, untilReady));
      await sleep(pause, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  })();
  // After a timeout or abort the poll in flight may still fail (the database closing): nobody
  // awaits it any more, and its rejection must not surface as unhandled.
  polling.catch(() => undefined);

  try {
    await Promise.race([polling, givenUp]);
  } finally {
    clearTimeout(timer);
    if (onAbort) wait.signal.removeEventListener('abort', onAbort);
    stop.abort();
  }
}

/** What of `refs` is not ready in `records` (those of them that exist) at `now`, and when the first will be. */
export function readyCheckOf(refs: readonly ObjectRef[], records: readonly SimObjectRecord[], now: number): ReadyCheck {
  const notReady = new Map<string, string>();
  let nextReadyAt: number | undefined;
  for (const ref of refs) {
    const key = keyOfRef(ref);
    const record = records.find((r) => sameKey(r, key));
    if (!record) {
      notReady.set(describeRef(ref), 'does not exist');
    } else if (!isSimReady(record, now)) {
      notReady.set(describeRef(ref), simPendingReason(record, now));
      const at = record.readyAt?.getTime();
      if (at !== undefined && at > now) nextReadyAt = Math.min(nextReadyAt ?? Infinity, at);
    }
  }
  return { notReady, nextReadyAt };
}
