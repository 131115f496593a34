import type { ComponentChildren } from 'preact';
import { describeError } from '../api.js';

/** A failure the user can act on: what went wrong, and a way to try again. */
export function ErrorNotice({ error, title = 'Something went wrong', retry }: { error: unknown; title?: string; retry?: () => void }) {
  return (
    <div class="notice notice-error" role="alert">
      <p class="notice-title">{title}</p>
      <p>{describeError(error)}</p>
      {retry && (
        <button type="button" class="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Nothing to show, said plainly, with what to do about it. */
export function EmptyState({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children}
    </div>
  );
}

/** A feature this service does not offer (a 404 from an optional route, an API not reachable). */
export function Unavailable({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="notice notice-muted" role="status">
      <p class="notice-title">{title}</p>
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}
