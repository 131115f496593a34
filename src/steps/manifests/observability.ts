import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { StepName } from '../../domain/plans.js';
import type { KubeObject } from '../../drivers/contract.js';
import type { TenantFacts } from '../step.js';
import { tenantMeta, toKubeObject } from './object-meta.js';
import { otelCollectorConfig } from './otel-collector-config.js';
import { TELEMETRY_RETENTION, configText, telemetryTenantId } from './telemetry.js';
import { assertValidManifests } from './validate.js';

/**
 * spec/004 phase 10: the tenant's share of the log and trace pipeline, as configuration.
 *
 * - otel-collector-config: the collector's configuration (otel-collector-config.ts).
 * - loki-tenant-config: the tenant's Loki limits, as a runtime-overrides fragment keyed by its
 *   X-Scope-OrgID: retention, and the index labels that make `namespace` and `tenant_id` labels.
 * - tempo-tenant-config: the same for Tempo: "tenant-scoped retention".
 *
 * Loki and Tempo are the platform's (telemetry.ts) and read runtime overrides from files, so the
 * two fragments are labelled for the platform to gather (`matih.ai/telemetry`) into them. Who
 * runs the collector is not declared here: these are the configuration only. Container stdout
 * needs a node agent, which is cluster-wide and routes by the namespace's `matih.ai/tenant-id`
 * label (phase 1); nothing per tenant is needed for it.
 */

export const OTEL_COLLECTOR_CONFIG = 'otel-collector-config';
export const LOKI_TENANT_CONFIG = 'loki-tenant-config';
export const TEMPO_TENANT_CONFIG = 'tempo-tenant-config';

/** The label the platform selects the fragments by, and its values. */
export const TELEMETRY_LABEL = 'matih.ai/telemetry';
export const TELEMETRY_ROLE = { collector: 'otel-collector', loki: 'loki-overrides', tempo: 'tempo-overrides' } as const;

/** The file each ConfigMap holds (JSON text, which is YAML; see telemetry.ts). */
export const CONFIG_FILE = { collector: 'config.yaml', overrides: 'overrides.yaml' } as const;

/**
 * Loki merges a tenant's overrides over its defaults field by field, so only what differs is
 * here. Loki 3 turns a fixed list of OTLP resource attributes into index labels; ours are not on
 * it, so it is told to index them for this tenant.
 */
export function lokiOverrides(tenant: TenantFacts): Record<string, unknown> {
  return {
    overrides: {
      [telemetryTenantId(tenant)]: {
        retention_period: TELEMETRY_RETENTION[tenant.tier].logs,
        otlp_config: { resource_attributes: { attributes_config: [{ action: 'index_label', attributes: ['namespace', 'tenant_id'] }] } },
      },
    },
  };
}

/**
 * Tempo replaces the defaults with a tenant's overrides as a whole: an ingestion limit left out
 * would be zero for this tenant. So its defaults are repeated beside the retention (Tempo 2.3+
 * override format).
 */
export function tempoOverrides(tenant: TenantFacts): Record<string, unknown> {
  return {
    overrides: {
      [telemetryTenantId(tenant)]: {
        ingestion: { rate_limit_bytes: 15_000_000, burst_size_bytes: 20_000_000, max_traces_per_user: 10_000 },
        global: { max_bytes_per_trace: 5_000_000 },
        compaction: { block_retention: TELEMETRY_RETENTION[tenant.tier].traces },
      },
    },
  };
}

function configMap(tenant: TenantFacts, name: string, role: string, file: string, content: unknown): KubeObject {
  const meta = tenantMeta(tenant, StepName.SETUP_OBSERVABILITY, name);
  const cm: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { ...meta, labels: { ...meta.labels, [TELEMETRY_LABEL]: role } },
    data: { [file]: configText(content) },
  };
  return toKubeObject(cm);
}

/** spec/004 phase 10, for SETUP_OBSERVABILITY. */
export function setupObservabilityManifests(tenant: TenantFacts): KubeObject[] {
  const objs = [
    configMap(tenant, OTEL_COLLECTOR_CONFIG, TELEMETRY_ROLE.collector, CONFIG_FILE.collector, otelCollectorConfig(tenant)),
    configMap(tenant, LOKI_TENANT_CONFIG, TELEMETRY_ROLE.loki, CONFIG_FILE.overrides, lokiOverrides(tenant)),
    configMap(tenant, TEMPO_TENANT_CONFIG, TELEMETRY_ROLE.tempo, CONFIG_FILE.overrides, tempoOverrides(tenant)),
  ];
  assertValidManifests(objs);
  return objs;
}
