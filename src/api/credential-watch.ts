/**
 * The credentials of the open progress streams, each asked of the authenticator again every
 * `everyMs` by one timer for the whole process, once per distinct credential however many streams
 * present it: a thousand sockets on one token cost one check a second, not a thousand, and an idle
 * socket has no timer of its own. A credential that is refused (revoked, its tenant suspended or
 * deleted) ends every stream that presented it.
 */
export class CredentialWatch {
  private readonly streams = new Map<string, Set<(error: unknown) => void>>();
  private readonly checking = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly authenticate: (bearer: string) => Promise<unknown>,
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
    for (const bearer of this.streams.keys()) {
      // A check that has not answered yet (a slow database) is not asked again on top of itself.
      if (this.checking.has(bearer)) continue;
      this.checking.add(bearer);
      this.authenticate(bearer)
        .then(
          () => undefined,
          (error: unknown) => {
            for (const refuse of [...(this.streams.get(bearer) ?? [])]) refuse(error);
          },
        )
        .finally(() => this.checking.delete(bearer));
    }
  }
}
