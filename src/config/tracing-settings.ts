import type { Env } from './variable-reader.js';

/**
 * The control plane's own traces (README "Configuration", docs/operations.md "Traces"), set by
 * the OpenTelemetry SDK's standard OTEL_* variables, which the SDK reads itself (sampler,
 * protocol, headers, batch sizes, resource attributes...). They are not MATIH_* settings and not
 * in CONFIG_VARIABLES: this only decides whether the SDK is loaded at all, and checks the
 * endpoint so that a typo stops the start like any bad setting. Off unless an OTLP endpoint is
 * set; OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it off again.
 */

/** The `service.name` of the spans unless OTEL_SERVICE_NAME (or OTEL_RESOURCE_ATTRIBUTES) says otherwise. */
export const DEFAULT_SERVICE_NAME = 'matih-control-plane';

export interface TracingSettings {
  /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (as given), or OTEL_EXPORTER_OTLP_ENDPOINT (the SDK appends `/v1/traces`). */
  endpoint: string;
  /**
   * OTEL_SERVICE_NAME, else `matih-control-plane`; undefined when OTEL_RESOURCE_ATTRIBUTES
   * names a `service.name`, which the SDK then uses.
   */
  serviceName: string | undefined;
}

export function parseTracingSettings(env: Env, problems: string[]): TracingSettings | undefined {
  const value = (name: string) => env[name]?.trim() || undefined;
  if (value('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return undefined;
  if (value('OTEL_TRACES_EXPORTER')?.split(',')[0]?.trim() === 'none') return undefined;
  const name = value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const endpoint = value(name);
  if (endpoint === undefined) return undefined;
  if (!isHttpUrl(endpoint)) {
    problems.push(`${name}="${endpoint}" must be an http:// or https:// URL (the OTLP collector, e.g. http://otel-collector:4318)`);
    return undefined;
  }
  const namedByResource = (value('OTEL_RESOURCE_ATTRIBUTES') ?? '').split(',').some((pair) => pair.split('=', 1)[0]?.trim() === 'service.name');
  return { endpoint, serviceName: value('OTEL_SERVICE_NAME') ?? (namedByResource ? undefined : DEFAULT_SERVICE_NAME) };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
