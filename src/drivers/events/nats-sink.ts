import { type JetStreamClient, type NatsConnection, type StreamInfo, ErrorCode, Events, NatsError, connect, headers, nanos } from 'nats';
import type { Logger } from 'pino';
import type { CloudEvent } from '../../domain/events.js';
import { DriverError, type EventSink } from '../contract.js';
import { CLOUDEVENTS_JSON, cloudEventHeaders } from './cloudevent-headers.js';
import { natsConnectionOptions, natsServersForDisplay } from './nats-connection-options.js';
import { natsDriverError } from './nats-errors.js';
import { NATS_STREAM_NAME_PATTERN, NATS_SUBJECT_PREFIX_PATTERN, filterCapturesPrefix, natsSubjectFor, streamSubjectFor } from './nats-subjects.js';

export const DEFAULT_NATS_STREAM = 'MATIH_EVENTS';
export const DEFAULT_NATS_SUBJECT_PREFIX = 'matih.events';

export interface NatsJetStreamSinkOptions {
  /** nats:// or tls:// URLs, comma-separated; credentials in them are used, never logged. */
  url: string;
  /** The stream that stores the events; created at first use when absent. */
  stream?: string;
  /** Events go to `{subjectPrefix}.{event type}`. */
  subjectPrefix?: string;
  logger: Logger;
  /** How long one connection attempt may take; default 5 s. */
  connectTimeoutMs?: number;
  /** How long a publish waits for the stream's acknowledgement; default 10 s. */
  publishTimeoutMs?: number;
  /** The duplicate window of a stream this sink creates; default 10 min. */
  duplicateWindowMs?: number;
}

/** nats.js's code for a request nobody subscribes to: here, no stream captures the subject. */
const NO_RESPONDERS: string = ErrorCode.NoResponders;
/** JetStream's API error codes (nats-server errors.json) this sink tells apart. */
const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;

/**
 * Publishes each event to NATS JetStream and waits for the stream's acknowledgement, so an event
 * counts as delivered only once it is stored.
 *
 * At least once from the relay becomes once in the stream: every message carries Nats-Msg-Id =
 * the CloudEvent id, and JetStream drops a repeat within the stream's duplicate window. A stream
 * this sink creates keeps a 10 minute window, twice the relay's longest backoff (5 min), so the
 * usual redeliveries (after a lease ran out, or after a later sink failed) fall inside it. Per
 * tenant order holds because the relay sends a tenant's next event only after this one is acked.
 *
 * The connection opens at the first delivery (a control plane with NATS down still starts) and
 * then reconnects by itself for as long as the process runs; a publish while it is down fails
 * after the publish timeout with a retryable error, and the relay tries again later.
 */
export class NatsJetStreamSink implements EventSink {
  readonly name = 'nats';
  private readonly url: string;
  private readonly stream: string;
  private readonly prefix: string;
  private readonly logger: Logger;
  private readonly connectTimeoutMs: number;
  private readonly publishTimeoutMs: number;
  private readonly duplicateWindowMs: number;
  /** For messages and logs: hosts and ports, never the credentials of the URL. */
  private readonly servers: string;
  private connection: Promise<{ nc: NatsConnection; js: JetStreamClient }> | undefined;
  private streamReady: Promise<void> | undefined;

  constructor(options: NatsJetStreamSinkOptions) {
    this.url = options.url;
    this.stream = options.stream ?? DEFAULT_NATS_STREAM;
    this.prefix = options.subjectPrefix ?? DEFAULT_NATS_SUBJECT_PREFIX;
    this.logger = options.logger;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 10_000;
    this.duplicateWindowMs = options.duplicateWindowMs ?? 10 * 60_000;
    this.servers = natsServersForDisplay(options.url);
    // The config checks these already; a hand-built sink fails here, not at the first event.
    if (!NATS_STREAM_NAME_PATTERN.test(this.stream)) throw new Error(`NATS stream name "${this.stream}" must be 1 to 64 letters, digits, _ or -`);
    if (!NATS_SUBJECT_PREFIX_PATTERN.test(this.prefix)) throw new Error(`NATS subject prefix "${this.prefix}" must be dot-separated tokens of letters, digits, _ or -`);
    natsConnectionOptions(options.url);
  }

  async deliver(event: CloudEvent, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const { nc, js } = await this.connect();
    await this.ensureStream(nc);
    const subject = natsSubjectFor(this.prefix, event.type);
    const messageHeaders = headers();
    for (const [name, value] of Object.entries(cloudEventHeaders(event, 'ce-'))) messageHeaders.set(name, value);
    messageHeaders.set('content-type', CLOUDEVENTS_JSON);
    try {
      const ack = await js.publish(subject, JSON.stringify(event), {
        msgID: event.id,
        headers: messageHeaders,
        // The stream we ensured, not whichever captures the subject: a mismatch is a permanent error.
        expect: { streamName: this.stream },
        timeout: this.publishTimeoutMs,
      });
      if (ack.duplicate) this.logger.debug({ eventId: event.id, stream: ack.stream, seq: ack.seq }, 'nats: the stream already had this event');
    } catch (error) {
      // No responders once the stream was ensured: it was deleted since. Ensure it again next time.
      if (error instanceof NatsError && error.code === NO_RESPONDERS) this.streamReady = undefined;
      throw natsDriverError(error, `nats publish to ${subject}`);
    }
  }

  /** Waits for what is in flight to be acknowledged, then closes the connection. */
  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.streamReady = undefined;
    const opened = await connection?.catch(() => undefined);
    if (opened && !opened.nc.isClosed()) await opened.nc.drain();
  }

  private connect(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    this.connection ??= this.open().catch((error: unknown) => {
      this.connection = undefined;
      throw natsDriverError(error, `nats connect to ${this.servers}`);
    });
    return this.connection;
  }

  private async open(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    const nc = await connect({
      ...natsConnectionOptions(this.url),
      name: 'matih-control-plane',
      timeout: this.connectTimeoutMs,
      // Once connected, never give up: a closed connection would need the next delivery to notice.
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
    });
    this.watch(nc);
    return { nc, js: nc.jetstream({ timeout: this.publishTimeoutMs }) };
  }

  /** Logs the connection's ups and downs; forgets it once closed, so the next delivery reconnects. */
  private watch(nc: NatsConnection): void {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === Events.Disconnect) this.logger.warn({ servers: this.servers }, 'nats: connection lost; reconnecting');
        else if (status.type === Events.Reconnect) this.logger.info({ servers: this.servers }, 'nats: reconnected');
        else if (status.type === Events.Error) this.logger.warn({ servers: this.servers, error: typeof status.data === 'string' ? status.data : JSON.stringify(status.data) }, 'nats: the server reported an error');
      }
    })().catch(() => undefined);
    void nc.closed().then(async (error) => {
      const current = await this.connection?.catch(() => undefined);
      if (current?.nc === nc) {
        this.connection = undefined;
        this.streamReady = undefined;
      }
      if (error) this.logger.warn({ servers: this.servers, err: error }, 'nats: connection closed');
    });
  }

  private ensureStream(nc: NatsConnection): Promise<void> {
    this.streamReady ??= this.createStreamIfAbsent(nc).catch((error: unknown) => {
      this.streamReady = undefined;
      throw natsDriverError(error, `nats stream ${this.stream}`);
    });
    return this.streamReady;
  }

  /** Idempotent: another replica creating the same stream at the same moment is fine. */
  private async createStreamIfAbsent(nc: NatsConnection): Promise<void> {
    const jsm = await nc.jetstreamManager({ timeout: this.publishTimeoutMs });
    let info: StreamInfo;
    try {
      info = await jsm.streams.info(this.stream);
    } catch (error) {
      if (apiErrorCode(error) !== STREAM_NOT_FOUND) throw error;
      try {
        await jsm.streams.add({ name: this.stream, subjects: [streamSubjectFor(this.prefix)], duplicate_window: nanos(this.duplicateWindowMs) });
        this.logger.info({ stream: this.stream, subjects: [streamSubjectFor(this.prefix)] }, 'nats: created the event stream');
        return;
      } catch (addError) {
        // Created in the meantime with another configuration (adding the same one succeeds).
        if (apiErrorCode(addError) !== STREAM_NAME_IN_USE) throw addError;
        info = await jsm.streams.info(this.stream);
      }
    }
    // An operator's stream is used as it is, but it has to capture our subjects.
    if (!(info.config.subjects ?? []).some((filter) => filterCapturesPrefix(filter, this.prefix))) {
      throw new DriverError(
        `nats stream ${this.stream} exists but does not capture ${streamSubjectFor(this.prefix)}: add that subject to it, or set MATIH_NATS_STREAM or MATIH_NATS_SUBJECT_PREFIX`,
        false,
      );
    }
    if (info.config.duplicate_window < nanos(this.duplicateWindowMs)) {
      this.logger.warn(
        { stream: this.stream, duplicateWindowMs: info.config.duplicate_window / 1e6 },
        'nats: the stream deduplicates redeliveries only within its duplicate window; a redelivery after it is stored twice',
      );
    }
  }
}

function apiErrorCode(error: unknown): number | undefined {
  return error instanceof NatsError ? error.api_error?.err_code : undefined;
}
