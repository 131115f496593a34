import type { FastifyBaseLogger } from 'fastify';
import { NotFoundError } from '../domain/errors.js';
import { type AuditRow, listAudit } from '../store/engine/list-audit.js';
import { ProgressListener } from '../store/engine/progress-listener.js';
import { type Database, openDatabase } from '../store/open-database.js';
import { provisioningStatus } from './provisioning-status.js';

export type ProvisioningStatusDocument = Awaited<ReturnType<typeof provisioningStatus>>;

/** Rows per read: a long history goes out in pages, the status after the last one. */
const PAGE = 200;

/** How soon a feed reads again after a failed read. */
const RETRY_MS = 1_000;

/** Connections for the feeds' reads (beside the LISTEN session): each read is a few milliseconds. */
const FEED_CONNECTIONS = 3;

/** One socket's end of a tenant's stream. */
export interface ProgressSink {
  /** A message already serialised: one JSON text for every socket it goes to. */
  send(frame: string): void;
  /** The stream cannot go on (the tenant is gone); the socket closes. A failed read is tried again instead. */
  fail(error: unknown): void;
}

export interface ProgressSubscription {
  /**
   * Sends what the socket has not seen: its backlog after `since` (default: where `status`, read
   * after join, stands), then every row the tenant's feed reads, each once, in order. Resolves
   * once the backlog is out and the socket follows the feed.
   */
  start(status: ProvisioningStatusDocument, since: number | undefined): Promise<void>;
  /** The socket closed: no more messages, and the feed goes when its last socket does. */
  end(): void;
}

interface Batch {
  rows: { seq: number; frame: string }[];
  /** The status read after the rows before it; its lastSequence is the last row read (else more rows are read first). */
  status?: { lastSequence: number; frame: string };
}

interface Subscriber {
  sink: ProgressSink;
  /** The highest sequence sent to it. */
  last: number;
  /** Rows went out since its last status: the next status that covers them goes out too. */
  owesStatus: boolean;
  /** While it reads its own backlog: what the feed delivered meanwhile, sent (minus what it has) once it has caught up. */
  held: Batch[] | undefined;
}

/** The sockets of one tenant and how far the process has read its history for them. */
class TenantFeed {
  readonly subscribers = new Set<Subscriber>();
  /** Every row up to here has been read and delivered; undefined until a status read says where the history stands. */
  lastRead: number | undefined;
  reading = false;
  /** Something new was heard while reading, or before lastRead was known: read (again). */
  again = false;
}

/**
 * Live progress for every WebSocket of the process: one LISTEN session (ProgressListener) hears
 * that a tenant's history grew, on whichever replica the job runs; the rows after the last one read
 * for that tenant are read once, with one status after them, and sent to each of its sockets.
 * Idle sockets cost nothing: no timer and no query per socket.
 *
 * A new socket joins the feed before it reads anything (so nothing committed after that is missed:
 * the feed delivers it), reads its own backlog after `?since=`, then sends what the feed delivered
 * meanwhile, skipping what its backlog already had: rows are numbered per tenant, so neither a gap
 * nor a duplicate can slip in between.
 */
export class ProgressFanout {
  private readonly feeds = new Map<string, TenantFeed>();
  private readonly listener: ProgressListener;
  private readers: Database | undefined;

  constructor(
    private readonly database: Database,
    private readonly logger: FastifyBaseLogger,
    /** How often the listener checks the watched tenants' sequences (the safety net beside NOTIFY). */
    checkMs: number,
  ) {
    this.listener = new ProgressListener({
      url: database.url,
      checkMs,
      onProgress: (tenantId, seq) => this.heard(tenantId, seq),
      // First LISTEN or a new session after a lost one: what was committed without one was not heard.
      onListening: () => {
        for (const [tenantId, feed] of this.feeds) void this.pump(tenantId, feed);
      },
      watched: () => [...this.feeds.keys()],
      onTrouble: (error) => this.logger.warn({ err: error }, 'progress listener: session lost or check failed; reconnecting'),
    });
  }

  /** Registers a socket for `tenantId` now, before its status is read; start() when it has been. */
  join(tenantId: string, sink: ProgressSink): ProgressSubscription {
    this.listener.start();
    let feed = this.feeds.get(tenantId);
    if (!feed) {
      feed = new TenantFeed();
      this.feeds.set(tenantId, feed);
    }
    const joined = feed;
    const subscriber: Subscriber = { sink, last: 0, owesStatus: false, held: [] };
    joined.subscribers.add(subscriber);
    let ended = false;
    return {
      start: async (status, since) => {
        if (joined.lastRead === undefined) {
          joined.lastRead = status.lastSequence;
          if (joined.again) void this.pump(tenantId, joined);
        }
        subscriber.last = since ?? status.lastSequence;
        await this.catchUp(tenantId, subscriber, () => ended);
        if (ended) return;
        for (const batch of subscriber.held ?? []) deliverTo(subscriber, batch);
        subscriber.held = undefined;
      },
      end: () => {
        ended = true;
        joined.subscribers.delete(subscriber);
        if (joined.subscribers.size === 0 && this.feeds.get(tenantId) === joined) this.feeds.delete(tenantId);
      },
    };
  }

  async close(): Promise<void> {
    this.feeds.clear();
    await this.listener.close();
    await this.readers?.close();
  }

  /**
   * The feeds' reads go on connections of their own, opened at the first socket: on the shared
   * pool they would wait behind the engine's and the API's statements, and every socket of the
   * tenant waits for them. Sockets' own backlogs are read on the shared pool, like any request.
   */
  private reader(): Database {
    this.readers ??= openDatabase({ url: this.database.url, poolSize: FEED_CONNECTIONS, kind: this.database.kind });
    return this.readers;
  }

  /** A socket's own backlog, as a socket read it before the fan-out: rows after its `last`, then a status that covers them. */
  private async catchUp(tenantId: string, subscriber: Subscriber, ended: () => boolean): Promise<void> {
    const { db } = this.database;
    for (;;) {
      const rows = await listAudit(db, tenantId, subscriber.last, PAGE);
      if (ended()) return;
      deliverTo(subscriber, { rows: rows.map(transitionFrame) });
      if (rows.length === PAGE) continue;
      if (!subscriber.owesStatus) return;
      // A commit may have landed after the rows above: send its rows first, the status after them.
      const fresh = await provisioningStatus(db, tenantId);
      if (ended()) return;
      if (fresh.lastSequence > subscriber.last) continue;
      deliverTo(subscriber, { rows: [], status: statusFrame(fresh) });
      return;
    }
  }

  private heard(tenantId: string, seq: number): void {
    const feed = this.feeds.get(tenantId);
    if (!feed || (feed.lastRead !== undefined && seq <= feed.lastRead)) return;
    void this.pump(tenantId, feed);
  }

  /** Reads the feed's new rows (once, for all its sockets) and delivers them, until nothing new was heard meanwhile. */
  private async pump(tenantId: string, feed: TenantFeed): Promise<void> {
    if (feed.lastRead === undefined || feed.reading) {
      feed.again = true;
      return;
    }
    feed.reading = true;
    const { db } = this.reader();
    try {
      do {
        feed.again = false;
        let readAny = false;
        for (;;) {
          const rows: AuditRow[] = await listAudit(db, tenantId, feed.lastRead, PAGE);
          if (rows.length > 0) {
            readAny = true;
            feed.lastRead = rows[rows.length - 1]!.seq;
            // Out now: the status read below is six more round trips, and only follows them.
            deliver(feed, { rows: rows.map(transitionFrame) });
          }
          if (rows.length === PAGE) continue;
          if (!readAny) break;
          const fresh = await provisioningStatus(db, tenantId);
          if (fresh.lastSequence > feed.lastRead) continue;
          deliver(feed, { rows: [], status: statusFrame(fresh) });
          break;
        }
      } while (feed.again && feed.subscribers.size > 0);
    } catch (error) {
      if (error instanceof NotFoundError) {
        // The tenant is gone (or its job): its streams end with 4404, as when each socket read for itself.
        for (const subscriber of feed.subscribers) subscriber.sink.fail(error);
        feed.subscribers.clear();
        if (this.feeds.get(tenantId) === feed) this.feeds.delete(tenantId);
      } else {
        // The database away for a moment: the sockets stay open and the feed reads again from
        // where it stands, so nothing is lost and no client has to reconnect.
        this.logger.warn({ err: error, tenantId }, 'progress fan-out: reading new transitions failed; trying again');
        setTimeout(() => {
          if (this.feeds.get(tenantId) === feed) void this.pump(tenantId, feed);
        }, RETRY_MS).unref();
      }
    } finally {
      feed.reading = false;
    }
  }
}

function transitionFrame(row: AuditRow): { seq: number; frame: string } {
  return { seq: row.seq, frame: JSON.stringify({ type: 'transition', ...row }) };
}

function statusFrame(status: ProvisioningStatusDocument): { lastSequence: number; frame: string } {
  return { lastSequence: status.lastSequence, frame: JSON.stringify({ type: 'status', status }) };
}

function deliver(feed: TenantFeed, batch: Batch): void {
  for (const subscriber of feed.subscribers) {
    if (subscriber.held) subscriber.held.push(batch);
    else deliverTo(subscriber, batch);
  }
}

/**
 * The rows it has not seen, in order; then the status, if rows went out since its last one and the
 * status stands exactly where the socket does. Not behind it: a socket whose backlog read ran
 * ahead of the feed waits for the feed's status that covers what it has, not an older one.
 */
function deliverTo(subscriber: Subscriber, batch: Batch): void {
  for (const row of batch.rows) {
    if (row.seq <= subscriber.last) continue;
    subscriber.sink.send(row.frame);
    subscriber.last = row.seq;
    subscriber.owesStatus = true;
  }
  if (batch.status && subscriber.owesStatus && batch.status.lastSequence === subscriber.last) {
    subscriber.sink.send(batch.status.frame);
    subscriber.owesStatus = false;
  }
}
