import type { Tier } from '../../domain/tiers.js';
import type { ServiceValues } from './helm-release-schema.js';

export type Resources = ServiceValues['resources'];

export interface MonitoringSizing {
  prometheus: Resources;
  /** The operator's sidecar in the Prometheus pod; its defaults, stated so the quota can count them. */
  configReloader: Resources;
  grafana: Resources;
  /** The grafana chart's dashboard sidecar (k8s-sidecar), which loads the dashboards' ConfigMaps. */
  dashboardSidecar: Resources;
  /** The Prometheus volume. */
  storage: string;
  /** Prometheus' size-based retention (units of 2^30 bytes): 80% of the volume, the rest for the WAL. */
  retentionSize: string;
}

const CONFIG_RELOADER: Resources = { requests: { cpu: '10m', memory: '50Mi' }, limits: { cpu: '10m', memory: '50Mi' } };

/**
 * What monitoring may take of a tier's quota. Free is the tight one: its nine services already
 * hold 3.6 of its 4 CPU and 6.75Gi of its 8Gi of limits (helm-releases.ts), so Prometheus,
 * its sidecar, Grafana and Grafana's dashboard sidecar get 260m and 722Mi of limits between
 * them, and the ingress controller the 140m left (Grafana gave 20m of its 100m to the dashboard
 * sidecar, which idles on a watch). Enough for one small tenant's few thousand series, slow under
 * heavy dashboards, which Free does not promise. Professional has room (14 of 16 CPU limits go
 * to services); Enterprise has no quota and is sized for load. A test sums services and
 * monitoring against each quota.
 */
const SIZING: Readonly<Record<Tier, MonitoringSizing>> = {
  FREE: {
    prometheus: { requests: { cpu: '50m', memory: '192Mi' }, limits: { cpu: '150m', memory: '384Mi' } },
    configReloader: CONFIG_RELOADER,
    grafana: { requests: { cpu: '25m', memory: '96Mi' }, limits: { cpu: '80m', memory: '192Mi' } },
    dashboardSidecar: { requests: { cpu: '5m', memory: '64Mi' }, limits: { cpu: '20m', memory: '96Mi' } },
    storage: '5Gi',
    retentionSize: '4GB',
  },
  PROFESSIONAL: {
    prometheus: { requests: { cpu: '200m', memory: '1Gi' }, limits: { cpu: '600m', memory: '2Gi' } },
    configReloader: CONFIG_RELOADER,
    grafana: { requests: { cpu: '50m', memory: '256Mi' }, limits: { cpu: '250m', memory: '512Mi' } },
    dashboardSidecar: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '50m', memory: '128Mi' } },
    storage: '20Gi',
    retentionSize: '16GB',
  },
  ENTERPRISE: {
    prometheus: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2000m', memory: '4Gi' } },
    configReloader: CONFIG_RELOADER,
    grafana: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '1Gi' } },
    dashboardSidecar: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '100m', memory: '128Mi' } },
    storage: '50Gi',
    retentionSize: '40GB',
  },
};

export function monitoringSizing(tier: Tier): MonitoringSizing {
  return SIZING[tier];
}
