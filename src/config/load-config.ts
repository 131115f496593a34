import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLOUD_PROVIDERS, type CloudProvider, parseCloudProvider } from '../domain/cloud.js';
import { type EdgeSettings, parseEdgeSettings } from './edge-settings.js';
import { type EnterpriseSettings, parseEnterpriseSettings } from './enterprise-settings.js';
import { type EventSettings, parseEventSettings } from './event-settings.js';

/**
 * Every setting of the service, with its default, in one place. `loadConfig` is the only reader
 * of process.env (DESIGN.md section 3); it lists every problem at once instead of failing on the
 * first, so an operator fixes a bad deployment in one go.
 */
export interface Config {
  tenantPort: number;
  infraPort: number;
  host: string;
  dataDir: string;
  /** Unset: the embedded PostgreSQL server under dataDir/postgres (store/server/embedded-postgres.ts). */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** Unset: generated at first start and written to dataDir/bootstrap-token. */
  bootstrapToken: string | undefined;
  jwtTtlSeconds: number;
  enabledCloudProviders: readonly CloudProvider[];
  bodyLimitBytes: number;
  logLevel: LogLevel;
  sim: { delayMs: number; faults: readonly SimFault[] };
  retry: { backoffSeconds: readonly number[]; maxRetries: number };
  shutdownGraceMs: number;
  engine: {
    /** Jobs one process runs at once. */
    concurrency: number;
    /** How long a claimed job stays claimed without a heartbeat. */
    leaseMs: number;
    /** How often an idle worker looks for due jobs. */
    pollMs: number;
    /** Undo completed steps, newest first, when a job fails for good. */
    rollbackOnFailure: boolean;
  };
  /** Parent DNS zone of the tenant zones: `{slug}.{baseDomain}`. */
  baseDomain: string;
  /** The outbox relay: where events and admin notifications go (event-settings.ts). */
  events: EventSettings;
  /** Where tenant namespaces and workloads go (DESIGN.md section 5). */
  cluster: ClusterSettings;
  tenantDatabases: {
    /** Unset: the control-plane database (the embedded server's when DATABASE_URL is unset too), filled in at start. */
    url: string | undefined;
    /** Prefix of the server-wide names (roles, dedicated databases), so control planes can share a server. */
    namePrefix: string;
  };
  /** Base64 of 32 bytes sealing secrets at rest; unset: generated once under dataDir (secret-key-file.ts). */
  secretKey: string | undefined;
  /** How long a step waits for its workloads to become ready before a retryable failure. */
  readyTimeoutMs: number;
  /** How long VERIFY waits for each service's /health (spec/002 phase 7: 30 s). */
  verifyTimeoutMs: number;
  /** Load balancer wait, DNS provider, TLS issuer (edge-settings.ts). */
  edge: EdgeSettings;
  /** Service principal check and Terraform for Enterprise tenants (enterprise-settings.ts). */
  enterprise: EnterpriseSettings;
  lifecycle: LifecycleSettings;
  /** The built dashboard served at / (MATIH_UI_DIR; default: ui/dist of this package). */
  uiDir: string;
}

/** Deletion, archive and the desired-state reconciler (spec/002 lifecycle operations, spec/000). */
export interface LifecycleSettings {
  /** Long-term storage of audit logs exported before a deletion (a file store). */
  archiveDir: string;
  /** How long a deletion confirmation code stays valid (spec/002: 10 minutes). */
  deletionCodeTtlSeconds: number;
  /** Time between two full reconcile sweeps; 0 turns the periodic sweep off (declaration changes still reconcile). */
  reconcileIntervalMs: number;
  /** At most this many repair jobs queued or running at once, so repairs never crowd out new provisioning. */
  reconcileMaxJobs: number;
}

export type ClusterSettings =
  | { kind: 'simulated' }
  /** `kubeconfig` unset: the pod's service account (in-cluster). */
  | { kind: 'kubernetes'; kubeconfig: string | undefined };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface SimFault {
  step: string;
  kind: 'retryable' | 'permanent';
  /** For retryable faults: fail this many times, then succeed. */
  times: number;
}

/** The documented variables and their defaults; the README table is written from this list. */
export const CONFIG_VARIABLES = {
  MATIH_TENANT_PORT: '8082',
  MATIH_INFRA_PORT: '8089',
  MATIH_HOST: '0.0.0.0',
  MATIH_DATA_DIR: './.matih',
  DATABASE_URL: '',
  MATIH_DB_POOL_SIZE: '10',
  MATIH_BOOTSTRAP_TOKEN: '',
  MATIH_JWT_TTL_S: '900',
  MATIH_CLOUD_PROVIDERS: CLOUD_PROVIDERS.join(','),
  MATIH_BODY_LIMIT_BYTES: '65536',
  MATIH_LOG_LEVEL: 'info',
  MATIH_SIM_DELAY_MS: '0',
  MATIH_SIM_FAULTS: '',
  MATIH_RETRY_BACKOFF: '60,120,240',
  MATIH_MAX_RETRIES: '3',
  MATIH_SHUTDOWN_GRACE_MS: '10000',
  MATIH_WORKER_CONCURRENCY: '8',
  MATIH_LEASE_S: '30',
  MATIH_POLL_MS: '500',
  MATIH_ROLLBACK_ON_FAILURE: 'true',
  MATIH_BASE_DOMAIN: 'matih.localhost',
  MATIH_EVENT_SINKS: 'log',
  MATIH_WEBHOOK_URL: '',
  MATIH_WEBHOOK_SECRET: '',
  MATIH_NOTIFIER: 'log',
  MATIH_SMTP_URL: '',
  MATIH_SMTP_FROM: 'matih@localhost',
  MATIH_RELAY_POLL_MS: '500',
  MATIH_NATS_URL: '',
  MATIH_NATS_STREAM: 'MATIH_EVENTS',
  MATIH_NATS_SUBJECT_PREFIX: 'matih.events',
  MATIH_KAFKA_BROKERS: '',
  MATIH_KAFKA_TOPIC: 'matih.tenant-events',
  MATIH_KAFKA_TOPICS: '',
  MATIH_KAFKA_CLIENT_ID: 'matih-control-plane',
  MATIH_CLUSTER: 'simulated',
  KUBECONFIG: '',
  TENANT_DATABASE_URL: '',
  MATIH_TENANT_DB_PREFIX: '',
  MATIH_SECRET_KEY: '',
  MATIH_READY_TIMEOUT_S: '600',
  MATIH_VERIFY_TIMEOUT_S: '30',
  MATIH_LB_WAIT_S: '600',
  MATIH_DNS_DRIVER: 'embedded',
  MATIH_DNS_HOST: '127.0.0.1',
  MATIH_DNS_PORT: '5353',
  MATIH_DNS_NAME_SERVERS: '',
  MATIH_DNS_TTL: '300',
  MATIH_POWERDNS_URL: '',
  MATIH_POWERDNS_API_KEY: '',
  MATIH_POWERDNS_SERVER_ID: 'localhost',
  MATIH_AZURE_SUBSCRIPTION_ID: '',
  MATIH_AZURE_DNS_RESOURCE_GROUP: '',
  MATIH_TLS_DRIVER: 'local-ca',
  MATIH_SERVICE_PRINCIPAL: 'simulated',
  MATIH_TERRAFORM: 'simulated',
  MATIH_TERRAFORM_BINARY: 'terraform',
  MATIH_TERRAFORM_DIR: '',
  MATIH_TERRAFORM_MODULES: 'azure',
  MATIH_TERRAFORM_STATE_ADDRESS: '',
  MATIH_TERRAFORM_STATE_LOCK_ADDRESS: '',
  MATIH_TERRAFORM_STATE_USERNAME: '',
  MATIH_TERRAFORM_STATE_PASSWORD: '',
  MATIH_TERRAFORM_LOCK_LEASE_S: '600',
  MATIH_AZURE_TENANT_ID: '',
  MATIH_AZURE_CLIENT_ID: '',
  MATIH_AZURE_CLIENT_SECRET: '',
  MATIH_ARCHIVE_DIR: '',
  MATIH_DELETION_CODE_TTL_S: '600',
  MATIH_RECONCILE_INTERVAL_S: '60',
  MATIH_RECONCILE_MAX_JOBS: '4',
  MATIH_UI_DIR: '',
} as const;

// src/config/ and dist/config/ both sit two levels below the package root, where ui/dist is built.
const DEFAULT_UI_DIR = fileURLToPath(new URL('../../ui/dist', import.meta.url));

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: keyof typeof CONFIG_VARIABLES): string => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? CONFIG_VARIABLES[name] : value.trim();
  };
  const int = (name: keyof typeof CONFIG_VARIABLES, min: number, max: number): number => {
    const raw = read(name);
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || n < min || n > max) {
      problems.push(`${name}="${raw}" must be a whole number from ${min} to ${max}`);
      return Number(CONFIG_VARIABLES[name]);
    }
    return n;
  };

  const tenantPort = int('MATIH_TENANT_PORT', 0, 65535);
  const infraPort = int('MATIH_INFRA_PORT', 0, 65535);
  if (tenantPort === infraPort && tenantPort !== 0) {
    problems.push(`MATIH_TENANT_PORT and MATIH_INFRA_PORT must differ (both ${tenantPort})`);
  }

  const databaseUrl = read('DATABASE_URL') || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL (unset it for the embedded database)');
  }

  const bootstrapToken = read('MATIH_BOOTSTRAP_TOKEN') || undefined;
  if (bootstrapToken !== undefined && bootstrapToken.length < 24) {
    problems.push('MATIH_BOOTSTRAP_TOKEN must be at least 24 characters long');
  }

  const enabledCloudProviders: CloudProvider[] = [];
  for (const item of read('MATIH_CLOUD_PROVIDERS').split(',').map((s) => s.trim()).filter(Boolean)) {
    const provider = parseCloudProvider(item);
    if (provider) enabledCloudProviders.push(provider);
    else problems.push(`MATIH_CLOUD_PROVIDERS: "${item}" is not one of ${CLOUD_PROVIDERS.join(', ')}`);
  }

  const bool = (name: keyof typeof CONFIG_VARIABLES): boolean => {
    const raw = read(name).toLowerCase();
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    problems.push(`${name}="${raw}" must be true or false`);
    return CONFIG_VARIABLES[name] === 'true';
  };

  const logLevel = read('MATIH_LOG_LEVEL') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`MATIH_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const backoffSeconds = parseBackoff(read('MATIH_RETRY_BACKOFF'), problems);
  const faults = parseSimFaults(read('MATIH_SIM_FAULTS'), problems);

  const config: Config = {
    tenantPort,
    infraPort,
    host: read('MATIH_HOST'),
    dataDir: path.resolve(read('MATIH_DATA_DIR')),
    databaseUrl,
    databasePoolSize: int('MATIH_DB_POOL_SIZE', 1, 200),
    bootstrapToken,
    jwtTtlSeconds: int('MATIH_JWT_TTL_S', 30, 86_400),
    enabledCloudProviders,
    bodyLimitBytes: int('MATIH_BODY_LIMIT_BYTES', 1024, 10 * 1024 * 1024),
    logLevel,
    sim: { delayMs: int('MATIH_SIM_DELAY_MS', 0, 3_600_000), faults },
    retry: { backoffSeconds, maxRetries: int('MATIH_MAX_RETRIES', 0, 100) },
    shutdownGraceMs: int('MATIH_SHUTDOWN_GRACE_MS', 0, 600_000),
    engine: {
      concurrency: int('MATIH_WORKER_CONCURRENCY', 0, 256),
      leaseMs: int('MATIH_LEASE_S', 2, 3600) * 1000,
      pollMs: int('MATIH_POLL_MS', 10, 60_000),
      rollbackOnFailure: bool('MATIH_ROLLBACK_ON_FAILURE'),
    },
    baseDomain: read('MATIH_BASE_DOMAIN').toLowerCase(),
    events: { ...parseEventSettings(read, problems), relayPollMs: int('MATIH_RELAY_POLL_MS', 10, 60_000) },
    cluster: parseCluster(read('MATIH_CLUSTER'), read('KUBECONFIG') || undefined, env.KUBERNETES_SERVICE_HOST, problems),
    tenantDatabases: {
      url: parseTenantDatabaseUrl(read('TENANT_DATABASE_URL') || undefined, databaseUrl, problems),
      namePrefix: parseNamePrefix(read('MATIH_TENANT_DB_PREFIX'), problems),
    },
    secretKey: parseSecretKey(read('MATIH_SECRET_KEY') || undefined, problems),
    readyTimeoutMs: int('MATIH_READY_TIMEOUT_S', 1, 86_400) * 1000,
    verifyTimeoutMs: int('MATIH_VERIFY_TIMEOUT_S', 1, 3600) * 1000,
    edge: parseEdgeSettings(read, int, read('MATIH_BASE_DOMAIN').toLowerCase(), problems),
    enterprise: parseEnterpriseSettings(read, int, path.resolve(read('MATIH_DATA_DIR')), problems),
    lifecycle: {
      archiveDir: path.resolve(read('MATIH_ARCHIVE_DIR') || path.join(read('MATIH_DATA_DIR'), 'archive')),
      deletionCodeTtlSeconds: int('MATIH_DELETION_CODE_TTL_S', 30, 86_400),
      reconcileIntervalMs: int('MATIH_RECONCILE_INTERVAL_S', 0, 86_400) * 1000,
      reconcileMaxJobs: int('MATIH_RECONCILE_MAX_JOBS', 1, 1000),
    },
    uiDir: path.resolve(read('MATIH_UI_DIR') || DEFAULT_UI_DIR),
  };
  if (!/^(?=.{1,200}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(config.baseDomain)) {
    problems.push(`MATIH_BASE_DOMAIN="${config.baseDomain}" must be a DNS name such as matih.example.com`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function parseCluster(raw: string, kubeconfig: string | undefined, serviceHost: string | undefined, problems: string[]): ClusterSettings {
  if (raw === 'simulated') return { kind: 'simulated' };
  if (raw !== 'kubernetes') {
    problems.push(`MATIH_CLUSTER="${raw}" must be simulated or kubernetes`);
    return { kind: 'simulated' };
  }
  // Never guess a cluster (client-node would try http://localhost:8080): say where, or run in a pod.
  if (kubeconfig === undefined && !serviceHost) {
    problems.push('MATIH_CLUSTER=kubernetes needs KUBECONFIG, or to run in a pod (KUBERNETES_SERVICE_HOST)');
  }
  return { kind: 'kubernetes', kubeconfig };
}

function parseTenantDatabaseUrl(raw: string | undefined, controlPlaneUrl: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined) return controlPlaneUrl;
  if (!/^postgres(ql)?:\/\//.test(raw)) problems.push('TENANT_DATABASE_URL must be a postgres:// or postgresql:// URL');
  return raw;
}

/** Mirrors drivers/database/identifiers.ts: the prefix goes in front of role and database names. */
function parseNamePrefix(raw: string, problems: string[]): string {
  if (raw !== '' && (!/^[a-z][a-z0-9_]{0,15}$/.test(raw) || raw.startsWith('pg_'))) {
    problems.push(`MATIH_TENANT_DB_PREFIX="${raw}" must be up to 16 lowercase letters, digits and underscores, starting with a letter (not pg_)`);
    return '';
  }
  return raw;
}

function parseSecretKey(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined) return undefined;
  // The value is a secret: the message must not echo it.
  if (!/^[A-Za-z0-9+/]{43}=$/.test(raw) || Buffer.from(raw, 'base64').length !== 32) {
    problems.push('MATIH_SECRET_KEY must be 32 random bytes in base64 (openssl rand -base64 32)');
    return undefined;
  }
  return raw;
}

function parseBackoff(raw: string, problems: string[]): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.length === 0 || values.some((v, i) => !/^\d+(\.\d+)?$/.test(parts[i] ?? '') || v < 0 || v > 86_400)) {
    problems.push(`MATIH_RETRY_BACKOFF="${raw}" must be comma-separated seconds, each from 0 to 86400`);
    return [60, 120, 240];
  }
  return values;
}

/** `STEP=retryable:N` or `STEP=permanent`, comma-separated (DESIGN.md section 7). */
export function parseSimFaults(raw: string, problems: string[]): SimFault[] {
  const faults: SimFault[] = [];
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^([A-Z][A-Z0-9_]*)=(?:(permanent)|retryable:(\d+))$/.exec(item);
    if (!match?.[1]) {
      problems.push(`MATIH_SIM_FAULTS: "${item}" must be STEP=retryable:N or STEP=permanent`);
      continue;
    }
    faults.push(
      match[2] ? { step: match[1], kind: 'permanent', times: 0 } : { step: match[1], kind: 'retryable', times: Number(match[3]) },
    );
  }
  return faults;
}
