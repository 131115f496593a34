import { useState } from 'preact/hooks';
import { formatTime, humanize } from '../format.js';
import type { AuditEntry } from '../types.js';

const SHOWN = 60;

/** The tenant's history, newest first: every transition and operation with who and why. */
export function AuditTimeline({ entries }: { entries: readonly AuditEntry[] }) {
  const [all, setAll] = useState(false);
  const newest = [...entries].sort((a, b) => b.seq - a.seq);
  const shown = all ? newest : newest.slice(0, SHOWN);
  return (
    <section class="card" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">History</h2>
      {newest.length === 0 ? (
        <p class="muted">No history yet.</p>
      ) : (
        <ol class="timeline" data-testid="timeline">
          {shown.map((e) => (
            <li key={e.seq} class={`timeline-item timeline-${e.kind.toLowerCase()}`} data-trigger={e.trigger} data-seq={e.seq}>
              <div class="timeline-head">
                <span class="timeline-trigger">{e.trigger}</span>
                {e.step && <code>{e.step}</code>}
                {(e.fromState ?? e.toState) && (
                  <span class="muted">
                    {e.fromState ? humanize(e.fromState) : '–'} → {e.toState ? humanize(e.toState) : '–'}
                  </span>
                )}
              </div>
              <div class="timeline-meta muted">
                <time dateTime={e.time}>{formatTime(e.time)}</time> · #{e.seq} · {e.actor}
              </div>
              {Object.keys(e.details).length > 0 && (
                <details>
                  <summary>Details</summary>
                  <pre>{JSON.stringify(e.details, null, 2)}</pre>
                </details>
              )}
            </li>
          ))}
        </ol>
      )}
      {newest.length > SHOWN && (
        <button type="button" class="button" onClick={() => setAll(!all)}>
          {all ? `Show the newest ${SHOWN}` : `Show all ${newest.length} entries`}
        </button>
      )}
    </section>
  );
}
