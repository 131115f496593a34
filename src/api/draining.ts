/**
 * Whether this process is stopping. Set once, at SIGTERM, before anything closes: from then on
 * `/ready` answers 503 so load balancers and the endpoint controllers stop routing here, while
 * requests in flight (and those that still arrive during MATIH_SHUTDOWN_DELAY_MS) are served.
 * `/health` stays 200: the process is alive, restarting it would only cut the drain short.
 */
export class Draining {
  private since: Date | undefined;

  start(now = new Date()): void {
    this.since ??= now;
  }

  get active(): boolean {
    return this.since !== undefined;
  }
}
