import type { Tier } from '../../domain/tiers.js';
import type { TenantFacts } from '../step.js';

/**
 * What monitoring (spec/004 phase 9) and observability (phase 10) share: the platform's
 * telemetry backends, how a tenant is named to them, and how long its data is kept.
 *
 * Loki and Tempo run once per cluster in multi-tenant mode, not once per tenant: a tenant is an
 * `X-Scope-OrgID`, so "the endpoints per tenant" are the same URLs with the tenant's own header.
 * The addresses are the platform's install (Helm defaults of the grafana/loki and
 * grafana/tempo-distributed charts in the `observability` namespace); a platform that installs
 * them elsewhere changes these constants, not the builders.
 */

/** The header Loki and Tempo read the tenant from; with multi-tenancy on they reject requests without it. */
export const TENANT_HEADER = 'X-Scope-OrgID';

export const LOKI = {
  /** Loki 3's native OTLP ingestion; the collector's otlphttp exporter appends /v1/logs. */
  otlp: 'http://loki-gateway.observability.svc/otlp',
  /** What Grafana queries. */
  query: 'http://loki-gateway.observability.svc',
} as const;

export const TEMPO = {
  /** The distributor's OTLP gRPC receiver (host:port, as the collector's otlp exporter wants it). */
  otlpGrpc: 'tempo-distributor.observability.svc:4317',
  query: 'http://tempo-query-frontend.observability.svc:3200',
} as const;

/**
 * The platform Prometheus, which scrapes what only a cluster-wide scraper can: the kubelets'
 * cAdvisor and volume statistics, and kube-state-metrics. A tenant Prometheus gets the series of
 * its own namespace from it by federation (monitoring.ts).
 */
export const PLATFORM_PROMETHEUS = 'prometheus-operated.monitoring.svc:9090';

/**
 * The platform Alertmanager, run by the platform's Prometheus Operator in `monitoring` (its
 * `alertmanager-operated` Service, port `web`), as a DNS SRV name: a Prometheus is to send every
 * alert to every Alertmanager replica, and the SRV records of that headless Service list each.
 * The tenant's Prometheus sends to it (prometheus-values.ts); the tenant's routing is an
 * AlertmanagerConfig in the tenant's namespace (alert-routing.ts), which that Alertmanager must
 * select: `alertmanagerConfigSelector` matching `matih.ai/managed-by`, a namespace selector
 * matching the tenant namespaces, and the operator's default matcher strategy (OnNamespace).
 */
export const PLATFORM_ALERTMANAGER = { namespace: 'monitoring', srv: '_web._tcp.alertmanager-operated.monitoring.svc' } as const;

/**
 * The tenant's id as Loki and Tempo know it. spec/004 phase 10 writes `tenant_id=acme` (the
 * slug), but phases 1 and 3 of the same document make the tenant id the UUID
 * (`matih.ai/tenant-id`, the services' TENANT_ID), and the services tag their own telemetry with
 * that. One id everywhere, so the UUID; the slug travels alongside as `tenant_slug`.
 */
export function telemetryTenantId(tenant: TenantFacts): string {
  return tenant.id;
}

export interface TelemetryRetention {
  /** Go durations in hours: the one unit Prometheus, Loki and Tempo all accept (Tempo takes no "d"). */
  metrics: string;
  logs: string;
  traces: string;
}

/**
 * spec/004 asks for "tenant-scoped retention" and gives no numbers; these are ours, by tier:
 * a week for Free, thirty days for Professional, ninety for Enterprise. One table, so the three
 * signals of one tenant age out together and a dashboard never shows logs with no traces.
 */
export const TELEMETRY_RETENTION: Readonly<Record<Tier, TelemetryRetention>> = {
  FREE: { metrics: '168h', logs: '168h', traces: '168h' },
  PROFESSIONAL: { metrics: '720h', logs: '720h', traces: '720h' },
  ENTERPRISE: { metrics: '2160h', logs: '2160h', traces: '2160h' },
};

/**
 * Configuration files as text. JSON, not YAML: the `yaml` package is in node_modules only as a
 * dependency of @fastify/swagger and vite, not one of ours, and JSON is YAML (1.2), so Loki,
 * Tempo, the collector and promtool read these files as they are. Declaring `yaml` would make
 * this the one line to change.
 */
export function configText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
