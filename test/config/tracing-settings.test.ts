import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { parseTracingSettings } from '../../src/config/tracing-settings.js';

/** Whether the OpenTelemetry SDK is loaded at all: only for an OTLP endpoint, unless turned off. */
function parse(env: Record<string, string>) {
  const problems: string[] = [];
  const settings = parseTracingSettings(env, problems);
  return { settings, problems };
}

describe('the tracing settings (OTEL_*)', () => {
  it('leave tracing off with no endpoint, whatever else is set', () => {
    expect(parse({})).toEqual({ settings: undefined, problems: [] });
    expect(parse({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }).settings).toBeUndefined();
    expect(loadConfig({}).tracing).toBeUndefined();
  });

  it('turn it on for an endpoint, the traces endpoint first, named matih-control-plane by default', () => {
    expect(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).settings).toEqual({ endpoint: 'http://collector:4318', serviceName: 'matih-control-plane' });
    expect(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/v1/traces', OTEL_SERVICE_NAME: 'cp-eu' }).settings).toEqual({
      endpoint: 'https://b/v1/traces',
      serviceName: 'cp-eu',
    });
    // service.name in the resource attributes is the SDK's to apply.
    expect(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.name=cp' }).settings?.serviceName).toBeUndefined();
  });

  it('stay off when the SDK is disabled or the traces exporter is none', () => {
    expect(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SDK_DISABLED: 'true' }).settings).toBeUndefined();
    expect(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_TRACES_EXPORTER: 'none' }).settings).toBeUndefined();
  });

  it('refuse an endpoint that is not an http(s) URL, naming the variable, at start like any bad setting', () => {
    expect(parse({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318' }).problems).toEqual([
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="collector:4318" must be an http:// or https:// URL (the OTLP collector, e.g. http://otel-collector:4318)',
    ]);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'otel collector' })).toThrow(ConfigError);
  });
});
