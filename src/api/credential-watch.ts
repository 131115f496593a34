import type { CredentialRecheck } from '../iam/authenticator.js';

/**
 * The credentials of the open progress streams, checked again every `everyMs` by one timer for
 * the whole process, all of them in one round (iam/authenticator.ts createCredentialRecheck: the
 * API keys among them in one statement), once per distinct credential however many streams
 * present it: a thousand sockets cost one round a second, and an idle socket has no timer of its
 * own. A credential that is refused (revoked, expired, its tenant suspended or deleted) ends every
 * stream that presented it.
 */
export class CredentialWatch {
  private readonly streams = new Map<string, Set<(error: unknown) => void>>();
  private checking = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly recheck: CredentialRecheck,
    private readonly everyMs: number,
  ) {}

  /** Watches `bearer` for one stream; `refuse` ends that stream. Returns what stops watching it. */
  watch(bearer: string, refuse: (error: unknown) => void): () => void {
    let refusers = this.streams.get(bearer);
    if (!refusers) {
      refusers = new Set();
      this.streams.set(bearer, refusers);
    }
    refusers.add(refuse);
    if (!this.timer) {
      this.timer = setInterval(() => this.checkAll(), this.everyMs);
      this.timer.unref();
    }
    const mine = refusers;
    return () => {
      mine.delete(refuse);
      if (mine.size === 0 && this.streams.get(bearer) === mine) this.streams.delete(bearer);
      if (this.streams.size === 0) this.close();
    };
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private checkAll(): void {
    // A round that has not answered yet (a slow database) is not started again on top of itself.
    if (this.checking || this.streams.size === 0) return;
    this.checking = true;
    this.recheck([...this.streams.keys()])
      .then(
        (refused) => {
          for (const [bearer, error] of refused) for (const refuse of [...(this.streams.get(bearer) ?? [])]) refuse(error);
        },
        // The database did not answer: nobody is refused for that; the next round asks again.
        () => undefined,
      )
      .finally(() => (this.checking = false));
  }
}
