import type { Watch } from '@kubernetes/client-node';
import type { ObjectRef } from '../contract.js';
import type { RequestGuard } from './api-permissions.js';
import type { ResourceDiscovery } from './resource-discovery.js';

/** Called for each watch event; returning true ends the watch. */
export type WatchHandler = (type: string, object: unknown) => boolean;

/**
 * Watches one object (a field selector on its name in its collection) until `onEvent` says
 * enough, the API server ends the watch, or `signal` aborts. Resolves in all three cases;
 * rejects when the watch could not start or broke (non-200, connection lost), so the caller can
 * fall back to a GET.
 *
 * No resourceVersion is sent on purpose: the API server then starts with a synthetic ADDED of
 * the object as it is now, so nothing between the caller's GET and this watch is missed, and an
 * old resourceVersion can never earn a 410 Gone. `timeoutSeconds` makes the server end the watch
 * now and then: a connection a NAT silently dropped would otherwise deliver nothing until the
 * whole wait times out.
 */
export async function watchObject(
  watch: Watch,
  discovery: ResourceDiscovery,
  ref: ObjectRef,
  options: { timeoutSeconds: number; signal: AbortSignal; guard?: RequestGuard | undefined },
  onEvent: WatchHandler,
): Promise<void> {
  const path = await discovery.collectionPath(ref.apiVersion, ref.kind, ref.namespace);
  const { signal } = options;
  if (signal.aborted) return;
  // client-node's Watch sends this request itself, past the rest client's guard.
  options.guard?.({ method: 'GET', path, query: { watch: 'true' } });
  return new Promise<void>((resolve, reject) => {
    let controller: AbortController | undefined;
    let settled = false;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      controller?.abort();
      if (error) reject(error instanceof Error ? error : new Error(`watch of ${ref.name} failed`));
      else resolve();
    };
    const onAbort = (): void => finish();
    signal.addEventListener('abort', onAbort, { once: true });

    const query = { fieldSelector: `metadata.name=${ref.name}`, allowWatchBookmarks: true, timeoutSeconds: options.timeoutSeconds };
    watch
      .watch(
        path,
        query,
        (type: string, object: unknown) => {
          if (!settled && onEvent(type, object)) finish();
        },
        // client-node calls this once: null when the server ended the watch, an Error otherwise
        // (our own abort included, which finish() then ignores).
        (error: unknown) => finish(error ?? undefined),
      )
      .then(
        // The controller arrives only once the response headers did; abort it if we finished first.
        (c) => {
          controller = c;
          if (settled) c.abort();
        },
        (error: unknown) => finish(error),
      );
  });
}
