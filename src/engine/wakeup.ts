/**
 * The wait of a polling loop (the worker, the outbox relay, the reconciler): it ends when its time
 * is up or when someone calls wake(). A wake-up that comes while the loop is busy is remembered,
 * so the next wait ends at once: a job committed while the worker was claiming is not left for the
 * next poll. Polling stays the mechanism; wake() only shortens the wait.
 */
export class Wakeup {
  private requested = false;
  private interrupt: (() => void) | undefined;

  wake(): void {
    this.requested = true;
    this.interrupt?.();
  }

  /** Forgets a remembered wake-up: call it when a round of work starts (that round sees the news). */
  clear(): void {
    this.requested = false;
  }

  /** Whether wake() was called since the last clear(). */
  get pending(): boolean {
    return this.requested;
  }

  /** Waits `ms` (Infinity: until woken), or not at all if a wake-up is pending. */
  wait(ms: number): Promise<void> {
    if (this.requested) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        this.interrupt = undefined;
        resolve();
      };
      if (Number.isFinite(ms)) timer = setTimeout(done, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
      this.interrupt = done;
    });
  }
}
