/**
 * What the engine and the steps know of the outside world (DESIGN.md section 5). Every verb is
 * idempotent; the engine imports only this file, never a concrete driver. Modelled on
 * crossplane-runtime's ExternalClient: observe first, then act only on the difference.
 */

import type { CloudEvent } from '../domain/events.js';

/** A failure says whether trying again can help; the engine retries only those that can. */
export class DriverError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DriverError';
  }
}

export function isRetryable(error: unknown): boolean {
  // An error no driver classified is most likely transient (a dropped connection, a timeout).
  return error instanceof DriverError ? error.retryable : true;
}

export interface ResourceRef {
  tenantId: string;
  kind: string;
  name: string;
}

/** A resource as a step declares it should be. `step` ties it to its owner for teardown and drift. */
export interface DesiredResource extends ResourceRef {
  step: string;
  spec: Readonly<Record<string, unknown>>;
}

export interface Observation {
  exists: boolean;
  /** Exists and equals the declaration; false when absent. */
  upToDate: boolean;
}

export interface ResourceDriver {
  /** Reads the actual state of one resource against its declaration. Changes nothing. */
  observe(desired: DesiredResource): Promise<Observation>;
  /** Creates the resource, or updates it to the declaration. Applying twice changes nothing more. */
  apply(desired: DesiredResource): Promise<void>;
  /** Deletes the resource; an absent resource is success. */
  delete(ref: ResourceRef): Promise<void>;
  /** Everything that exists for a tenant, optionally only what one step made. */
  list(tenantId: string, step?: string): Promise<DesiredResource[]>;
  /**
   * Waits until what `step` applied for the tenant is ready (workloads rolled out, load
   * balancers addressed), or fails. `signal` aborts the wait when the job loses its lease.
   */
  awaitReady(tenantId: string, step: string, signal: AbortSignal): Promise<void>;
}

/**
 * Where the outbox relay delivers events (DESIGN.md section 4). Delivery is at least once: after
 * a failure the relay sends the same event again, possibly to a sink that already had it, so a
 * receiver deduplicates by the CloudEvent `id`.
 */
export interface EventSink {
  /** Short and stable: it names the sink in logs and in the outbox's last_error. */
  readonly name: string;
  /**
   * Delivers one event, or throws (a DriverError says whether a retry can help). `signal` aborts
   * a delivery the relay no longer owns (its lease on the event is running out).
   */
  deliver(event: CloudEvent, signal?: AbortSignal): Promise<void>;
}

/** A message to a person, e.g. the tenant admin when provisioning completes or fails. */
export interface NotificationMessage {
  to: string;
  subject: string;
  text: string;
  /** The CloudEvent id the message is about: mail clients and receivers deduplicate retries by it. */
  eventId: string;
}

export interface Notifier {
  /** Sends the message, or throws (a DriverError says whether a retry can help); `signal` gives up. */
  notify(message: NotificationMessage, signal?: AbortSignal): Promise<void>;
}
