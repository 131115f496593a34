import pg from 'pg';
import { PROGRESS_CHANNEL, parseProgressNotice } from './progress-notices.js';

export interface ProgressListenerOptions {
  /** The control-plane database: a session of its own there, not one of the pool's. */
  url: string;
  /** A tenant's history reached `seq`: a NOTIFY, or the periodic check. */
  onProgress(tenantId: string, seq: number): void;
  /**
   * LISTEN is in place, first or again after a lost session: whatever was committed while there
   * was none was never heard, so every watched tenant must be read again from its last sequence.
   */
  onListening(): void;
  /** The tenants somebody watches now, for the periodic check. */
  watched(): string[];
  /** How often the session checks the watched tenants' sequences (and that it is alive); default 10 s. */
  checkMs?: number;
  /** Waits before reconnecting: base, doubled per failure up to cap; default 100 ms to 5 s. */
  backoff?: { baseMs: number; capMs: number };
  /** A lost session or a failed check, for the log. */
  onTrouble?(error: Error): void;
}

/** application_name of the session, so an operator (or a test) can tell it from the pool's. */
export const PROGRESS_LISTENER_APPLICATION = 'matih-progress-listener';

/**
 * One dedicated session per process on PROGRESS_CHANNEL (not a pooled one: LISTEN belongs to a
 * session, and a pooled client is handed to anyone). When the session is lost (a restart, a
 * failover, pg_terminate_backend) it reconnects with backoff and says so (`onListening`).
 *
 * Every `checkMs` it also reads the watched tenants' current sequences in one statement on the
 * same session. That is the safety net DESIGN.md asks for beside NOTIFY: a session that died
 * without a word (a dropped TCP path sends no reset, and TCP keepalive notices after minutes) hears
 * nothing; the check finds the rows within `checkMs`, and its failure or time-out ends the
 * session, so the reconnect and the catch-up follow. It also finds rows written by a path that
 * does not notify. One statement per interval for all the process's watchers, however many.
 */
export class ProgressListener {
  private client: pg.Client | undefined;
  private started = false;
  private closed = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private readonly checkMs: number;
  private readonly backoff: { baseMs: number; capMs: number };

  constructor(private readonly options: ProgressListenerOptions) {
    this.checkMs = options.checkMs ?? 10_000;
    this.backoff = options.backoff ?? { baseMs: 100, capMs: 5_000 };
  }

  /** Connects (once; later calls do nothing). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    void this.connect();
  }

  /** Whether LISTEN is in place right now. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.checkTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: PROGRESS_LISTENER_APPLICATION,
      connectionTimeoutMillis: 5_000,
      // A check that does not answer in time means a dead session: drop it and start over.
      query_timeout: Math.max(1_000, Math.min(this.checkMs, 5_000)),
      keepAlive: true,
    });
    let lost = false;
    const drop = (error: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) {
        this.client = undefined;
        clearInterval(this.checkTimer);
      }
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.options.onTrouble?.(error);
      this.retry();
    };
    client.on('error', drop);
    client.on('end', () => drop(new Error('the progress listener session ended')));
    client.on('notification', (message) => {
      const notice = message.channel === PROGRESS_CHANNEL ? parseProgressNotice(message.payload) : undefined;
      if (notice) this.options.onProgress(notice.tenantId, notice.seq);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(PROGRESS_CHANNEL)}`);
    } catch (error) {
      drop(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (lost) return;
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    this.checkTimer = setInterval(() => void this.check(client, drop), this.checkMs);
    this.checkTimer.unref();
    this.options.onListening();
  }

  private retry(): void {
    const delay = Math.min(this.backoff.capMs, this.backoff.baseMs * 2 ** this.failures);
    this.failures += 1;
    // Jittered, so that the replicas of a failed-over database do not all come back at once.
    this.retryTimer = setTimeout(() => void this.connect(), delay * (0.5 + Math.random() / 2));
    this.retryTimer.unref();
  }

  private async check(client: pg.Client, drop: (error: Error) => void): Promise<void> {
    const tenants = this.options.watched();
    try {
      const { rows } = await client.query<{ tenant_id: string; event_seq: number }>(
        'select tenant_id::text, event_seq from tenant_provisioning_state where tenant_id = any($1::uuid[])',
        [tenants],
      );
      for (const row of rows) this.options.onProgress(row.tenant_id, row.event_seq);
    } catch (error) {
      drop(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
