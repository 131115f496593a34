import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { toCloudEvent } from '../domain/events.js';
import { type EventSink, isRetryable } from '../drivers/contract.js';
import type { Db } from '../store/open-database.js';
import { type ClaimedOutboxEvent, claimOutboxEvents } from '../store/outbox/claim-outbox-events.js';
import { markOutboxDelivered } from '../store/outbox/mark-outbox-delivered.js';
import { type OutboxBackoff, recordOutboxFailure } from '../store/outbox/record-outbox-failure.js';
import { Wakeup } from './wakeup.js';

export interface OutboxRelayOptions {
  db: Db;
  /** Every event goes to each sink, in this order. */
  sinks: readonly EventSink[];
  logger: Logger;
  /** How often an idle relay looks for due events; wake() looks sooner. */
  pollMs?: number;
  /**
   * How long after a wake() the relay looks (20 ms by default): the events of a burst of commits go
   * out in one batch, one claim and one mark, instead of one batch each.
   */
  wakeDelayMs?: number;
  /** Events claimed at once: at most one per tenant, delivered concurrently. */
  batchSize?: number;
  /** How long a claim keeps other relays off an event. Deliveries are cut off at half of it. */
  leaseMs?: number;
  /** After a failure: 1 s, 2 s, 4 s ... up to 5 min by default. */
  backoff?: OutboxBackoff;
}

export const DEFAULT_RELAY_BACKOFF: OutboxBackoff = { baseMs: 1000, capMs: 5 * 60_000 };

/**
 * Delivers the transactional outbox to the sinks, at least once and in order per tenant
 * (DESIGN.md section 4).
 *
 * At least once, not exactly once: an event counts as delivered only when every sink took it, so
 * after a failure of the second sink the retry sends it to the first sink again, and a relay that
 * dies between delivering and recording it delivers it again after the lease. Receivers dedupe by
 * the CloudEvent id (webhook: the webhook-id header; email: the Message-ID).
 *
 * In order per tenant: only the oldest undelivered event of a tenant is ever claimed, so a tenant
 * whose event keeps failing waits (with backoff) while every other tenant's events flow.
 * Several relays may share one PostgreSQL: claims are leases taken with SKIP LOCKED, and a relay
 * stops waiting on a delivery at half its lease, long before another relay may take the event over.
 */
export class OutboxRelay {
  private readonly db: Db;
  private readonly sinks: readonly EventSink[];
  private readonly logger: Logger;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly backoff: OutboxBackoff;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private readonly wakeup = new Wakeup();
  private readonly wakeDelayMs: number;
  private wakeTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(options: OutboxRelayOptions) {
    this.db = options.db;
    this.sinks = options.sinks;
    this.logger = options.logger;
    this.pollMs = options.pollMs ?? 500;
    this.wakeDelayMs = options.wakeDelayMs ?? 20;
    this.batchSize = options.batchSize ?? 50;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.backoff = options.backoff ?? DEFAULT_RELAY_BACKOFF;
  }

  /** Starts the poll loop; calling it again while it runs does nothing. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Stops polling and waits for the batch in flight, so no delivery is cut off mid-way. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeup.wake();
    await this.loop;
    this.loop = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Looks for due events soon (wakeDelayMs) instead of at the next poll (e.g. right after a commit). */
  wake(): void {
    if (this.wakeDelayMs <= 0) return this.wakeup.wake();
    if (this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeup.wake();
    }, this.wakeDelayMs);
    this.wakeTimer.unref();
  }

  /** Claims and delivers one batch; returns how many events every sink now has. For tests. */
  async drainOnce(): Promise<number> {
    return (await this.track(this.runBatch())).delivered;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.wakeup.clear();
      let more = false;
      try {
        more = (await this.track(this.runBatch())).more;
      } catch (error) {
        this.logger.error({ err: error }, 'outbox relay: claiming events failed; trying again at the next poll');
      }
      // A full batch may have left due events behind, and a delivery makes its tenant's next event
      // due: look again at once. Otherwise wait (a wake-up that came meanwhile ends the wait at once).
      if (this.stopping || more) continue;
      await this.wakeup.wait(this.pollMs);
    }
  }

  /** One claim and its deliveries: how many every sink now has, and whether more may be due already. */
  private async runBatch(): Promise<{ delivered: number; more: boolean }> {
    const events = await claimOutboxEvents(this.db, { limit: this.batchSize, leaseMs: this.leaseMs });
    if (events.length === 0) return { delivered: 0, more: false };
    // Half the lease: the rest covers writing the outcome and clocks that run at slightly different rates.
    const deadline = AbortSignal.timeout(Math.floor(this.leaseMs / 2));
    // One signal guards every delivery of the batch (several listeners each); not a leak.
    setMaxListeners(0, deadline);
    // One event per tenant in a batch, so delivering them concurrently keeps the per-tenant order.
    const outcomes = await Promise.all(events.map((event) => this.deliver(event, deadline)));
    const delivered = events.filter((_, i) => outcomes[i]);
    // One statement for the batch, not one per event: a tenant's next event is claimed by the next
    // batch either way, so marking them together delays none of them.
    const full = events.length === this.batchSize;
    try {
      await markOutboxDelivered(this.db, delivered.map((event) => event.id));
      return { delivered: delivered.length, more: full || delivered.some((event) => event.hasNext) };
    } catch (error) {
      // Every sink has them; when the lease ends they are sent again, which receivers dedupe.
      this.logger.error({ err: error, eventIds: delivered.map((event) => event.eventId) }, 'outbox relay: could not record deliveries');
      return { delivered: 0, more: full };
    }
  }

  /** Sends the event to every sink; true when every sink took it (a failure is recorded here). */
  private async deliver(event: ClaimedOutboxEvent, deadline: AbortSignal): Promise<boolean> {
    const cloudEvent = toCloudEvent(event);
    let sinkName = '';
    try {
      for (const sink of this.sinks) {
        sinkName = sink.name;
        deadline.throwIfAborted();
        await untilAborted(sink.deliver(cloudEvent, deadline), deadline);
      }
    } catch (error) {
      await this.recordFailure(event, sinkName, error);
      return false;
    }
    return true;
  }

  private async recordFailure(event: ClaimedOutboxEvent, sinkName: string, error: unknown): Promise<void> {
    const message = `${sinkName}: ${error instanceof Error ? error.message : String(error)}`;
    const context = { eventId: event.eventId, eventType: event.type, tenantId: event.aggregateId, sink: sinkName };
    try {
      const recorded = await recordOutboxFailure(this.db, { id: event.id, leaseUntil: event.leaseUntil, error: message, backoff: this.backoff });
      const details = { ...context, error: message, attempts: recorded?.attempts, nextAttemptAt: recorded?.nextAttemptAt };
      // Retried either way (dropping it would lose it, skipping it would break the order), but a
      // failure no retry can fix needs a person, so it is logged as an error.
      if (isRetryable(error)) this.logger.warn(details, 'outbox relay: delivery failed; will retry');
      else this.logger.error(details, 'outbox relay: a sink refuses this event; it is retried, and later events of the tenant wait, until the cause is fixed');
    } catch (writeError) {
      this.logger.error({ ...context, err: writeError }, 'outbox relay: could not record a failed delivery; retried when the lease ends');
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }
}

/** Stops waiting when the signal aborts, even for a sink that ignores the signal. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('delivery cut off: the lease is running out'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
