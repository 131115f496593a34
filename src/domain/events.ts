/**
 * Event types written to the transactional outbox and delivered at least once, in order per
 * tenant, by the relay. Names are the spec's (TENANT_PROVISIONED is tenant.provisioned).
 */
export const EventType = {
  TENANT_CREATED: 'tenant.created',
  TENANT_SETTINGS_CHANGED: 'tenant.settings.changed',
  TENANT_FEATURES_CHANGED: 'tenant.features.changed',
  PROVISIONING_STEP_COMPLETED: 'tenant.provisioning.step_completed',
  TENANT_PROVISIONED: 'tenant.provisioned',
  PROVISIONING_FAILED: 'tenant.provisioning.failed',
  PROVISIONING_RETRIED: 'tenant.provisioning.retried',
  PROVISIONING_CANCELLED: 'tenant.provisioning.cancelled',
  // spec/002 "Tenant Lifecycle Operations".
  TENANT_SUSPENDED: 'tenant.suspended',
  TENANT_ACTIVATED: 'tenant.activated',
  TENANT_UPDATED: 'tenant.updated',
  TENANT_DELETION_STARTED: 'tenant.deletion.started',
  TENANT_DELETED: 'tenant.deleted',
  TENANT_DEPROVISIONED: 'tenant.deprovisioned',
  /** A lifecycle operation (not a provisioning) that stopped for good; the tenant is left as it was. */
  OPERATION_FAILED: 'tenant.operation.failed',
  // spec/000 ReconciliationEventPublisher.
  RECONCILE_STARTED: 'reconcile.started',
  DRIFT_DETECTED: 'drift.detected',
  DRIFT_REPAIRED: 'drift.repaired',
  RECONCILE_FAILED: 'reconcile.failed',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** Events that tell the tenant admin something: the notifier emails these (spec/003, spec/004). */
export const ADMIN_NOTIFIED_EVENTS: ReadonlySet<string> = new Set([
  EventType.TENANT_PROVISIONED,
  EventType.PROVISIONING_FAILED,
  EventType.TENANT_SUSPENDED,
  EventType.TENANT_ACTIVATED,
  EventType.TENANT_DELETED,
]);

/** A stored event as the relay reads it. */
export interface OutboxEvent {
  /** Delivery order; per tenant it is the order the events were written in. */
  id: string;
  eventId: string;
  aggregateType: string;
  aggregateId: string;
  type: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  attempts: number;
  /** The W3C trace context of the step or request that wrote the event; null when none was traced. */
  traceParent?: string | null;
}

/** The versioned envelope every sink receives: CloudEvents 1.0 in structured JSON mode. */
export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  dataschemaversion: '1';
  data: Record<string, unknown>;
  /**
   * The CloudEvents distributed-tracing extension: the W3C `traceparent` of the step (or API
   * request) that wrote the event, so a consumer continues its trace. Absent when nothing was traced.
   */
  traceparent?: string;
}

export function toCloudEvent(event: OutboxEvent): CloudEvent {
  return {
    specversion: '1.0',
    id: event.eventId,
    source: '/matih/control-plane',
    type: event.type,
    subject: `${event.aggregateType}/${event.aggregateId}`,
    time: event.createdAt.toISOString(),
    datacontenttype: 'application/json',
    dataschemaversion: '1',
    data: event.payload,
    ...(event.traceParent ? { traceparent: event.traceParent } : {}),
  };
}
