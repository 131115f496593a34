/**
 * Exponential backoff as configured (MATIH_RETRY_BACKOFF, default 60, 120, 240 s): the n-th
 * retry waits the n-th value; retries past the list wait the last one.
 */
export function backoffSeconds(schedule: readonly number[], retriesSoFar: number): number {
  if (schedule.length === 0) return 0;
  return schedule[Math.min(retriesSoFar, schedule.length - 1)] ?? 0;
}

export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Error messages end up in the API and the dashboard: keep them to one readable line.
  return message.replace(/\s+/g, ' ').slice(0, 1000);
}
