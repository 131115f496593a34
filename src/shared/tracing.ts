import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  context,
  defaultTextMapGetter,
  isSpanContextValid,
  propagation,
  trace,
} from '@opentelemetry/api';

/**
 * The control plane's traces, over `@opentelemetry/api` alone: every layer may use this file, and
 * none sees the SDK (build-tracing.ts, loaded by the composition root only when OTEL_* asks for
 * it). With no SDK registered, the default, the API is a no-op: spans record nothing, no context
 * is kept across awaits, and `currentTraceparent()` is undefined, so traced code costs a few calls.
 */

/** The instrumentation scope of every span the service makes (the resource says which service). */
const tracer = trace.getTracer('matih-control-plane');

export { SpanKind, SpanStatusCode };
export type { Span, Attributes };

export interface SpanOptions {
  attributes?: Attributes;
  kind?: SpanKind;
  /** The parent; default: the active context (the span this code runs in, if any). */
  parent?: Context;
}

/** A span started now, not yet the active one: `withSpan` runs code in it; the caller ends it. */
export function startSpan(name: string, options: SpanOptions = {}): Span {
  return tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) }, options.parent ?? context.active());
}

/** Runs `fn` with `span` active: the spans it starts are its children, the outbox events it writes carry it. */
export function withSpan<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** Marks the span failed with the error (an exception event and an ERROR status). */
export function recordFailure(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  else span.recordException(String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** `fn` in a span of its own, failed if `fn` throws, ended when it settles. */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const span = startSpan(name, options);
  try {
    return await withSpan(span, () => fn(span));
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** The W3C `traceparent` of the active span (as stored with a job or an outbox event); undefined when none. */
export function currentTraceparent(): string | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const sc = span.spanContext();
  return isSpanContextValid(sc) ? formatTraceparent(sc) : undefined;
}

/** `00-{trace id}-{span id}-{flags}`, W3C Trace Context version 00. */
export function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The span context a `traceparent` names; undefined for anything malformed (version ff, zero ids). */
export function parseTraceparent(value: string): SpanContext | undefined {
  const match = TRACEPARENT.exec(value.trim());
  if (!match || match[1] === 'ff') return undefined;
  const sc: SpanContext = { traceId: match[2]!, spanId: match[3]!, traceFlags: parseInt(match[4]!, 16), isRemote: true };
  return isSpanContextValid(sc) ? sc : undefined;
}

/**
 * A context whose parent is the stored `traceparent`: a job's run continues the trace of the
 * request (or sweep) that queued it, in whichever replica and however much later it runs.
 * Without one, the root context: the run starts a trace of its own.
 */
export function contextOfTraceparent(value: string | null | undefined): Context {
  const sc = value ? parseTraceparent(value) : undefined;
  return sc ? trace.setSpanContext(ROOT_CONTEXT, sc) : ROOT_CONTEXT;
}

/**
 * The context an incoming request's headers carry (`traceparent`, or what OTEL_PROPAGATORS
 * names), to continue the caller's trace; the root context when none (or tracing is off).
 */
export function contextOfHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Context {
  return propagation.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/** `trace_id` and `span_id` of the active span, for every log line written inside one (the pino mixin). */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const sc = span.spanContext();
  return isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}
