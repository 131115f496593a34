import type { Logger } from 'pino';
import { purgeExpiredRevocations } from '../store/iam/revoked-tokens.js';
import type { Db } from '../store/open-database.js';
import { Wakeup } from './wakeup.js';

const HOUR_MS = 3_600_000;

/**
 * The control plane's clean-up of its own tables, once an hour (and at start): revocations of
 * tokens that have expired anyway are dead weight for every token check. Idempotent deletes, so
 * replicas may all run it; a failed round (the database away) is logged and tried next time.
 */
export class Housekeeping {
  private readonly wakeup = new Wakeup();
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly intervalMs = HOUR_MS,
  ) {}

  start(): void {
    if (this.loop || this.stopped) return;
    this.loop = this.run();
  }

  /** One round; returns what it removed. */
  async runOnce(now: Date = new Date()): Promise<{ revocationsPurged: number }> {
    const revocationsPurged = await purgeExpiredRevocations(this.db, now);
    if (revocationsPurged > 0) this.logger.info({ revocationsPurged }, 'expired token revocations purged');
    return { revocationsPurged };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeup.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.wakeup.clear();
      try {
        await this.runOnce();
      } catch (error) {
        this.logger.warn({ err: error }, 'housekeeping round failed; trying again at the next one');
      }
      if (!this.stopped) await this.wakeup.wait(this.intervalMs);
    }
  }
}
