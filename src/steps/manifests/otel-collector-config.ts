import type { TenantFacts } from '../step.js';
import { LOKI, TEMPO, TENANT_HEADER, telemetryTenantId } from './telemetry.js';

/**
 * The tenant's OpenTelemetry collector configuration (spec/004 phase 10: "Processor: tenant
 * context injection"). The tenant's services send OTLP to the collector; it stamps every log
 * record and span with the tenant and forwards logs to Loki and traces to Tempo under the
 * tenant's X-Scope-OrgID. Metrics are not in it: the tenant Prometheus scrapes them (phase 9).
 */

/**
 * The resource attributes injected into everything the tenant sends. `tenant_id` is spec/004's
 * attribute; `namespace` becomes Loki's `namespace` label (spec/004: "Label:
 * namespace=matih-acme") once Loki indexes it (observability.ts); `k8s.namespace.name` is the
 * semantic-convention name Grafana correlates logs and traces by.
 */
export function tenantResourceAttributes(tenant: TenantFacts): Record<string, string> {
  return {
    tenant_id: telemetryTenantId(tenant),
    tenant_slug: tenant.slug,
    namespace: tenant.namespace,
    'k8s.namespace.name': tenant.namespace,
  };
}

/** Component names, referenced by the pipelines. */
const TENANT_CONTEXT = 'resource/tenant-context';
const TO_TEMPO = 'otlp/tempo';
const TO_LOKI = 'otlphttp/loki';

export function otelCollectorConfig(tenant: TenantFacts): Record<string, unknown> {
  const orgId = { [TENANT_HEADER]: telemetryTenantId(tenant) };
  const processors = ['memory_limiter', TENANT_CONTEXT, 'batch'];
  return {
    receivers: {
      // Explicit 0.0.0.0: collectors from 0.104 on listen on localhost only by default, which
      // no other pod can reach.
      otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } } },
    },
    processors: {
      // First, so a burst is refused at the door instead of killing the collector.
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 },
      // Upsert, not insert: whatever a workload claims, its telemetry is filed under this tenant,
      // so one tenant's service cannot write into another's logs or traces.
      [TENANT_CONTEXT]: { attributes: Object.entries(tenantResourceAttributes(tenant)).map(([key, value]) => ({ key, value, action: 'upsert' })) },
      batch: {},
    },
    exporters: {
      // Plain gRPC inside the cluster, as the platform's Tempo distributor listens.
      [TO_TEMPO]: { endpoint: TEMPO.otlpGrpc, tls: { insecure: true }, headers: orgId },
      [TO_LOKI]: { endpoint: LOKI.otlp, headers: orgId },
    },
    extensions: { health_check: { endpoint: '0.0.0.0:13133' } },
    service: {
      extensions: ['health_check'],
      pipelines: {
        traces: { receivers: ['otlp'], processors, exporters: [TO_TEMPO] },
        logs: { receivers: ['otlp'], processors, exporters: [TO_LOKI] },
      },
    },
  };
}
