import type { Logger } from 'pino';
import { tombstoneCutoff } from '../domain/personal-data.js';
import { purgeExpiredRevocations } from '../store/iam/revoked-tokens.js';
import { purgeEndedCounters } from '../store/limits/request-counters.js';
import { purgeTombstones, redactDeletedTenantEvents } from '../store/lifecycle/tombstones.js';
import type { Db } from '../store/open-database.js';
import { Wakeup } from './wakeup.js';

const HOUR_MS = 3_600_000;

export interface HousekeepingResult {
  revocationsPurged: number;
  /** Delivered events of deleted tenants that lost their personal data this round. */
  eventsRedacted: number;
  tombstonesPurged: number;
  /** Rate-limit and lockout counters whose window had ended. */
  countersPurged: number;
}

export interface HousekeepingOptions {
  intervalMs?: number;
  /** MATIH_TOMBSTONE_RETENTION_DAYS; 0 keeps tombstones for ever. */
  tombstoneRetentionDays?: number;
}

/**
 * The control plane's clean-up of its own tables, once an hour (and at start): revocations of
 * tokens that have expired anyway are dead weight for every token check; a deleted tenant's
 * events, once delivered, lose its personal data (domain/personal-data.ts); tombstones past their
 * retention go with their history; rate-limit and lockout counters whose window has ended are
 * deleted (the next hit would start over anyway). Idempotent statements, so replicas may all run
 * it (the tombstone purge skips rows another replica holds); a failed round (the database away)
 * is logged and tried next time.
 */
export class Housekeeping {
  private readonly wakeup = new Wakeup();
  private stopped = false;
  private loop: Promise<void> | undefined;

  private readonly intervalMs: number;
  private readonly tombstoneRetentionDays: number;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    options: HousekeepingOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? HOUR_MS;
    this.tombstoneRetentionDays = options.tombstoneRetentionDays ?? 0;
  }

  start(): void {
    if (this.loop || this.stopped) return;
    this.loop = this.run();
  }

  /** One round; returns what it removed. */
  async runOnce(now: Date = new Date()): Promise<HousekeepingResult> {
    const revocationsPurged = await purgeExpiredRevocations(this.db, now);
    if (revocationsPurged > 0) this.logger.info({ revocationsPurged }, 'expired token revocations purged');
    const eventsRedacted = await redactDeletedTenantEvents(this.db);
    if (eventsRedacted > 0) this.logger.info({ eventsRedacted }, "deleted tenants' delivered events redacted");
    const cutoff = tombstoneCutoff(now, this.tombstoneRetentionDays);
    const tombstonesPurged = cutoff ? await purgeTombstones(this.db, cutoff) : 0;
    if (tombstonesPurged > 0) this.logger.info({ tombstonesPurged, retentionDays: this.tombstoneRetentionDays }, 'tombstones past their retention purged');
    const countersPurged = await purgeEndedCounters(this.db);
    return { revocationsPurged, eventsRedacted, tombstonesPurged, countersPurged };
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
