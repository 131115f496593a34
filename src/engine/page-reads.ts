/**
 * Reads many tenants of a page ask for, gathered while they ask and sent as one batch: the
 * drift detector starts every tenant of a page at once, each step's observe asks for what it
 * compares (a database, a zone), and what they asked for in the same turn of the event loop goes
 * to the driver in one call. Each answer is kept for the page, so a second tenant or step asking
 * for the same thing gets the same answer without another read.
 */
export class BatchedReads<K, V> {
  private readonly answers = new Map<string, Promise<V>>();
  private queued: { key: K; resolve: (value: V) => void; reject: (error: unknown) => void }[] = [];

  /**
   * `readMany`: the answers to `keys` in their order, an Error for one that could not be read;
   * a rejection fails every key of the batch. `keyOf` says when two keys ask the same.
   */
  constructor(
    private readonly readMany: (keys: K[]) => Promise<(V | Error)[]>,
    private readonly keyOf: (key: K) => string,
  ) {}

  load(key: K): Promise<V> {
    const id = this.keyOf(key);
    const known = this.answers.get(id);
    if (known) return known;
    const answer = new Promise<V>((resolve, reject) => {
      // setImmediate: after every continuation already queued (the other tenants' asks) has run.
      if (this.queued.length === 0) setImmediate(() => void this.dispatch());
      this.queued.push({ key, resolve, reject });
    });
    this.answers.set(id, answer);
    return answer;
  }

  private async dispatch(): Promise<void> {
    const batch = this.queued;
    this.queued = [];
    try {
      const values = await this.readMany(batch.map((q) => q.key));
      for (const [i, q] of batch.entries()) {
        const value = values[i];
        if (value instanceof Error) q.reject(value);
        else if (value === undefined) q.reject(new Error('the batch read gave no answer for this key'));
        else q.resolve(value);
      }
    } catch (error) {
      for (const q of batch) q.reject(error);
    }
  }
}

/** One read at a time per key, at most `limit` at once: a batch for a driver that reads one thing per call. */
export function oneByOne<K, V>(read: (key: K) => Promise<V>, limit: number): (keys: K[]) => Promise<(V | Error)[]> {
  return (keys) => mapBounded(keys, limit, (key) => read(key).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
}

/** A gate that lets at most `limit` calls run at once; the rest wait in order. */
export function limiter(limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    // A waiter is handed the slot of the call that ends, so `running` never passes the limit.
    if (running >= Math.max(1, limit)) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** fn over items, at most `limit` at once, results in input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
