import type { CloudEvent } from '../../domain/events.js';

/** The body of a message: the whole event, CloudEvents structured mode. */
export const CLOUDEVENTS_JSON = 'application/cloudevents+json';

/**
 * The envelope's routing attributes as message headers, besides the structured JSON body, so a
 * consumer can filter by type, tenant (subject) or schema version without parsing the body. The
 * separator is the protocol binding's: `ce-` for NATS, `ce_` for Kafka. The distributed-tracing
 * extension's `traceparent` goes along when the event has one, so a consumer can continue the trace.
 */
export function cloudEventHeaders(event: CloudEvent, prefix: 'ce-' | 'ce_'): Record<string, string> {
  return {
    [`${prefix}id`]: event.id,
    [`${prefix}type`]: event.type,
    [`${prefix}source`]: event.source,
    [`${prefix}specversion`]: event.specversion,
    [`${prefix}subject`]: event.subject,
    [`${prefix}dataschemaversion`]: event.dataschemaversion,
    ...(event.traceparent ? { [`${prefix}traceparent`]: event.traceparent } : {}),
  };
}

/**
 * The aggregate (tenant) id of an event: `subject` is `{aggregateType}/{aggregateId}`
 * (domain/events.ts). Keys and partitions on it keep one tenant's events in order.
 */
export function aggregateIdOf(event: CloudEvent): string {
  const slash = event.subject.indexOf('/');
  return slash === -1 ? event.subject : event.subject.slice(slash + 1);
}
