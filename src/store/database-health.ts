/**
 * Whether the control-plane database can be used right now, for /ready. It goes down the moment a
 * pooled connection is lost or a query cannot reach the server (or the embedded server's
 * supervisor says the server died), and up again only when a probe gets through: a probe runs
 * every `recheckMs` while it is down, so readiness comes back on its own.
 */
export class DatabaseHealth {
  private down: { since: Date; reason: string } | undefined;
  private serverDown = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly probe: () => Promise<void>,
    private readonly recheckMs = 500,
  ) {}

  /** A connection was lost or refused: not ready until a probe succeeds. */
  reportUnavailable(reason: string): void {
    if (this.closed) return;
    this.down ??= { since: new Date(), reason };
    this.schedule();
  }

  /** From the embedded server's supervisor: down while it restarts the server. */
  setServerDown(down: boolean): void {
    this.serverDown = down;
    if (down) this.reportUnavailable('the embedded PostgreSQL server is restarting');
    else this.schedule(0);
  }

  /** For /ready: the reason it is not ready, or undefined when a probe just got through. */
  async check(timeoutMs = 2000): Promise<string | undefined> {
    if (this.down) return this.down.reason;
    try {
      await withTimeout(this.probe(), timeoutMs);
      return undefined;
    } catch (error) {
      const reason = `unreachable: ${error instanceof Error ? error.message : String(error)}`;
      this.reportUnavailable(reason);
      return reason;
    }
  }

  get state(): { ready: boolean; since?: Date; reason?: string } {
    return this.down ? { ready: false, ...this.down } : { ready: true };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs = this.recheckMs): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.recheck(), delayMs);
    this.timer.unref();
  }

  private async recheck(): Promise<void> {
    if (this.serverDown || this.closed) return;
    try {
      await withTimeout(this.probe(), 2000);
      this.down = undefined;
    } catch {
      this.schedule();
    }
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
