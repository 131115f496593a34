/** A labelled progress bar (the native element: announced by screen readers with its value). */
export function ProgressBar({ value, label, compact = false }: { value: number; label: string; compact?: boolean }) {
  const pct = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div class={compact ? 'progress progress-compact' : 'progress'}>
      <progress max={100} value={pct} aria-label={label} />
      <span class="progress-value">{pct}%</span>
    </div>
  );
}
