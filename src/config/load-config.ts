import { ALERTING_VARIABLES, type AlertingSettings, parseAlertingSettings } from './alerting-settings.js';
import { AZURE_VARIABLES, parseAzureIdentity } from './azure-settings.js';
import { CLUSTER_VARIABLES, type ClusterSettings, parseClusterSettings } from './cluster-settings.js';
import { DATABASE_VARIABLES, type DatabaseSettings, parseDatabaseSettings } from './database-settings.js';
import { EDGE_VARIABLES, type EdgeSettings, parseBaseDomain, parseEdgeSettings } from './edge-settings.js';
import { ENGINE_VARIABLES, type EngineSettings, parseEngineSettings } from './engine-settings.js';
import { ENTERPRISE_VARIABLES, type EnterpriseSettings, parseEnterpriseSettings } from './enterprise-settings.js';
import { ENVIRONMENT_VARIABLES, type EnvironmentSettings, parseEnvironmentSettings } from './environment-settings.js';
import { EVENT_VARIABLES, type EventSettings, parseEventSettings } from './event-settings.js';
import { IAM_VARIABLES, type IamSettings, parseIamSettings } from './iam-settings.js';
import { LIFECYCLE_VARIABLES, type LifecycleSettings, parseLifecycleSettings } from './lifecycle-settings.js';
import { OIDC_VARIABLES, type OidcSettings, parseOidcSettings } from './oidc-settings.js';
import { NETWORK_ISOLATION_VARIABLES, parseNetworkIsolationSettings } from './network-isolation-settings.js';
import { REQUEST_LIMIT_VARIABLES, type RequestLimitSettings, parseRequestLimitSettings } from './request-limit-settings.js';
import { SERVER_VARIABLES, type ServerSettings, parseServerSettings } from './server-settings.js';
import { TENANT_DATABASE_VARIABLES, type TenantDatabaseSettings, parseTenantDatabaseSettings } from './tenant-database-settings.js';
import { type TracingSettings, parseTracingSettings } from './tracing-settings.js';
import type { NetworkIsolation } from '../domain/network-isolation.js';
import { type Env, variableReader } from './variable-reader.js';

/**
 * Every setting of the service: one module per area (server, database, IAM, engine, events,
 * cluster, environment, tenant databases, network isolation, edge, Azure, enterprise, lifecycle),
 * each with its variables, their defaults, its settings type and a parser. `loadConfig` composes
 * them and is the only reader of the process environment (DESIGN.md section 3); it lists every
 * problem at once instead of failing on the first, so an operator fixes a bad deployment in one go.
 */
export interface Config extends ServerSettings, DatabaseSettings, IamSettings, EngineSettings {
  /** Parent DNS zone of the tenant zones: `{slug}.{baseDomain}`. */
  baseDomain: string;
  /** The outbox relay: where events and admin notifications go (event-settings.ts). */
  events: EventSettings;
  /** Where tenant namespaces and workloads go (DESIGN.md section 5). */
  cluster: ClusterSettings;
  /** spec/002's `{environment}` and its Helm values file, read at start (environment-settings.ts). */
  environment: EnvironmentSettings;
  tenantDatabases: TenantDatabaseSettings;
  /** What tenant pods may reach outside their namespace: the egress NetworkPolicies (network-isolation-settings.ts). */
  networkIsolation: NetworkIsolation;
  /** Load balancer wait, DNS provider, TLS issuer (edge-settings.ts). */
  edge: EdgeSettings;
  /** How tenants' alert emails are sent (alerting-settings.ts). */
  alerting: AlertingSettings;
  /** Service principal check and Terraform for Enterprise tenants (enterprise-settings.ts). */
  enterprise: EnterpriseSettings;
  lifecycle: LifecycleSettings;
  /** Single sign-on through an OpenID Provider (oidc-settings.ts); undefined without MATIH_OIDC_ISSUER. */
  oidc: OidcSettings | undefined;
  /** Rate limits and lockouts, counted in the database (request-limit-settings.ts). */
  requestLimits: RequestLimitSettings;
  /** The service's own traces over OTLP (tracing-settings.ts: the standard OTEL_* variables); undefined: off. */
  tracing?: TracingSettings | undefined;
}

/** The documented variables and their defaults; the README table is written from this list. */
export const CONFIG_VARIABLES = {
  ...SERVER_VARIABLES,
  ...DATABASE_VARIABLES,
  ...IAM_VARIABLES,
  ...ENGINE_VARIABLES,
  ...EVENT_VARIABLES,
  ...CLUSTER_VARIABLES,
  ...ENVIRONMENT_VARIABLES,
  ...TENANT_DATABASE_VARIABLES,
  ...NETWORK_ISOLATION_VARIABLES,
  ...EDGE_VARIABLES,
  ...ALERTING_VARIABLES,
  ...AZURE_VARIABLES,
  ...ENTERPRISE_VARIABLES,
  ...LIFECYCLE_VARIABLES,
  ...OIDC_VARIABLES,
  ...REQUEST_LIMIT_VARIABLES,
} as const;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = variableReader(env, CONFIG_VARIABLES, problems);
  const database = parseDatabaseSettings(read, problems);
  const azure = parseAzureIdentity(read, problems);
  const baseDomain = parseBaseDomain(read, problems);
  const tenantDatabases = parseTenantDatabaseSettings(read, database.databaseUrl, problems);
  const config: Config = {
    ...parseServerSettings(read, problems),
    ...database,
    ...parseIamSettings(read, problems),
    ...parseEngineSettings(read, problems),
    baseDomain,
    events: { ...parseEventSettings(read.text, problems, read.env), relayPollMs: read.int('MATIH_RELAY_POLL_MS', 10, 60_000) },
    cluster: parseClusterSettings(read, problems),
    environment: parseEnvironmentSettings(read, problems),
    tenantDatabases,
    networkIsolation: parseNetworkIsolationSettings(read, tenantDatabases.url, problems),
    edge: parseEdgeSettings(read, baseDomain, azure, problems),
    alerting: parseAlertingSettings(read, problems),
    enterprise: parseEnterpriseSettings(read, database.dataDir, azure, problems),
    lifecycle: parseLifecycleSettings(read, database.dataDir, problems),
    oidc: parseOidcSettings(read, problems),
    requestLimits: parseRequestLimitSettings(read, problems),
    tracing: parseTracingSettings(read.env, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
