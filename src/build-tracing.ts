import { DiagLogLevel, diag } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { TracingSettings } from './config/tracing-settings.js';

/** The running SDK: `shutdown` exports the spans still buffered, then stops. */
export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK for the service's own traces, as the OTEL_* variables configure it
 * (config/tracing-settings.ts decided it is wanted): the OTLP exporter of
 * OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf by default, http/json, grpc), the sampler of
 * OTEL_TRACES_SAMPLER (parent-based always-on by default), W3C trace context propagation, and the
 * AsyncLocalStorage context that carries a span across awaits. The spans are made through
 * `@opentelemetry/api` (shared/tracing.ts); this file is the composition root's alone. The SDK
 * is imported here, on demand: its packages are about half a second of a start that does not
 * need them when tracing is off.
 */
export async function startTracing(settings: TracingSettings, logger: Logger): Promise<Tracing> {
  const log = logger.child({ component: 'tracing' });
  // The SDK's complaints (an unreachable collector, a bad variable) in our log, unless OTEL_LOG_LEVEL routes them itself.
  diag.setLogger(
    {
      error: (message, ...args) => log.warn({ args }, message),
      warn: (message, ...args) => log.warn({ args }, message),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({
    ...(settings.serviceName === undefined ? {} : { serviceName: settings.serviceName }),
    // Traces only: the metrics are Prometheus's (/metrics), the logs go to stdout with their trace ids.
    metricReaders: [],
    logRecordProcessors: [],
    // No automatic instrumentation: the spans are the service's own (requests, jobs, steps, drivers).
    instrumentations: [],
  });
  sdk.start();
  log.info({ endpoint: settings.endpoint, serviceName: settings.serviceName }, 'exporting traces over OTLP');
  return {
    async shutdown() {
      // Bounded: a collector that does not answer must not hold the process past its grace period.
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS, 'timeout')));
      const outcome = await Promise.race([sdk.shutdown().then(() => 'done' as const, (error: unknown) => error), gaveUp]);
      clearTimeout(timer);
      if (outcome === 'timeout') log.warn({ waitedMs: SHUTDOWN_WAIT_MS }, 'the collector did not take the last spans in time; they are dropped');
      else if (outcome !== 'done') log.warn({ err: outcome }, 'could not export the last spans');
    },
  };
}

/** How long the stop waits for the last spans to be exported. */
const SHUTDOWN_WAIT_MS = 3000;
