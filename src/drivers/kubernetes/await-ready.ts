import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError, type KubeObject, type ObjectRef, type ReadyWait } from '../contract.js';
import { redact } from './error-classification.js';
import type { WatchHandler } from './object-watch.js';
import { describeRef, isKubeObject } from './object-refs.js';
import { refOf } from '../../shared/kubernetes-objects.js';
import { readinessOf } from './readiness.js';

export interface ReadyWaitDeps {
  /** The object now; undefined when absent. Throws DriverErrors. */
  get(ref: ObjectRef, signal: AbortSignal): Promise<KubeObject | undefined>;
  /** Watches one object until the handler returns true or the watch ends; rejects when it breaks. */
  watch(ref: ObjectRef, signal: AbortSignal, onEvent: WatchHandler): Promise<void>;
  /** Pause after a watch ended or failed, before the GET that starts the next round. */
  retryDelayMs: number;
}

/**
 * Waits until every object is ready (readiness.ts), each on its own: GET it (unless the caller
 * knows it: `wait.known`), and while it is not ready WATCH it; when the watch ends or breaks,
 * pause and GET again. Rejects with a retryable DriverError naming what is still not ready after
 * `timeoutMs`, with `signal.reason` when the caller aborts, and at once with a permanent
 * DriverError from a GET (403: waiting cannot help).
 */
export async function awaitObjectsReady(deps: ReadyWaitDeps, refs: readonly ObjectRef[], wait: ReadyWait): Promise<void> {
  wait.signal.throwIfAborted();
  if (refs.length === 0) return;

  const notReady = new Map(refs.map((ref) => [describeRef(ref), 'not checked yet']));
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const givenUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const what = [...notReady].map(([ref, why]) => `${ref} (${why})`).join('; ');
      reject(new DriverError(`not ready after ${wait.timeoutMs} ms: ${what}`, true));
    }, wait.timeoutMs);
    // The caller's reason, as given (an AbortError DOMException unless it chose another).
    onAbort = () => reject(wait.signal.reason as Error);
    wait.signal.addEventListener('abort', onAbort, { once: true });
  });

  const known = new Map((wait.known ?? []).map((object) => [describeRef(refOf(object)), object]));
  try {
    await Promise.race([Promise.all(refs.map((ref) => waitForOne(deps, ref, stop.signal, notReady, known.get(describeRef(ref))))), givenUp]);
  } finally {
    clearTimeout(timer);
    if (onAbort) wait.signal.removeEventListener('abort', onAbort);
    // Ends every watch and in-flight GET of this wait.
    stop.abort();
  }
}

async function waitForOne(deps: ReadyWaitDeps, ref: ObjectRef, stop: AbortSignal, notReady: Map<string, string>, known: KubeObject | undefined): Promise<void> {
  const key = describeRef(ref);
  const note = (reason: string): void => {
    notReady.set(key, reason);
  };
  let reason = 'not checked yet';
  // The first round starts from the object as the caller knows it, when it does: no GET.
  let first: KubeObject | undefined = known;
  while (!stop.aborted) {
    try {
      const now = readinessOf(first ?? (await deps.get(ref, stop)));
      first = undefined;
      if (now.ready) {
        notReady.delete(key);
        return;
      }
      note((reason = now.reason));

      let ready = false;
      await deps.watch(ref, stop, (type, object) => {
        if (type === 'ADDED' || type === 'MODIFIED') {
          const seen = readinessOf(isKubeObject(object) ? { ...object, apiVersion: ref.apiVersion, kind: ref.kind } : undefined);
          note((reason = seen.reason));
          ready = seen.ready;
        } else if (type === 'DELETED') {
          note((reason = 'was deleted while we waited'));
        }
        // ERROR carries a Status (the watch expired, say): end it and start again with a GET.
        return ready || type === 'ERROR';
      });
      if (ready) {
        notReady.delete(key);
        return;
      }
    } catch (error) {
      if (stop.aborted) return;
      if (error instanceof DriverError && !error.retryable) throw error;
      // Watch failures land here too: the GET of the next round decides.
      note(`${reason}; last error: ${redact(error instanceof Error ? error.message : String(error))}`);
    }
    await sleep(deps.retryDelayMs, undefined, { signal: stop }).catch(() => undefined);
  }
}
