import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLOUD_PROVIDERS, type CloudProvider, parseCloudProvider } from '../domain/cloud.js';
import type { VariableReader } from './variable-reader.js';

/**
 * The two HTTP servers (the tenant API and spec/000's infrastructure API) and the process around
 * them: where they listen, what requests they accept, how the process logs and stops.
 */
export const SERVER_VARIABLES = {
  MATIH_TENANT_PORT: '8082',
  MATIH_INFRA_PORT: '8089',
  MATIH_HOST: '0.0.0.0',
  MATIH_CLOUD_PROVIDERS: CLOUD_PROVIDERS.join(','),
  MATIH_BODY_LIMIT_BYTES: '65536',
  MATIH_REQUEST_TIMEOUT_S: '30',
  MATIH_MAX_CONNECTIONS: '10000',
  MATIH_LOG_LEVEL: 'info',
  MATIH_SHUTDOWN_GRACE_MS: '10000',
  MATIH_SHUTDOWN_DELAY_MS: '0',
  MATIH_UI_DIR: '',
} as const;
type ServerVariable = keyof typeof SERVER_VARIABLES;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServerSettings {
  tenantPort: number;
  infraPort: number;
  host: string;
  /** Providers a tenant may be placed on; the API refuses the others. */
  enabledCloudProviders: readonly CloudProvider[];
  bodyLimitBytes: number;
  /** A request's headers and body must have arrived within this time, or its connection is closed (slow clients). */
  requestTimeoutMs: number;
  /** Open connections per server (each API), WebSockets included; more are refused until some close. */
  maxConnections: number;
  logLevel: LogLevel;
  /** How long SIGTERM waits for requests in flight before the process exits anyway. */
  shutdownGraceMs: number;
  /**
   * After SIGTERM, how long the listeners stay open with `/ready` failing before they close (like
   * kube-apiserver's --shutdown-delay-duration): for load balancers that learn of a stopping
   * replica from its readiness. 0 in Kubernetes, where the preStop pause does that job.
   */
  shutdownDelayMs: number;
  /** The built dashboard served at / (MATIH_UI_DIR; default: ui/dist of this package). */
  uiDir: string;
}

// src/config/ and dist/config/ both sit two levels below the package root, where ui/dist is built.
const DEFAULT_UI_DIR = fileURLToPath(new URL('../../ui/dist', import.meta.url));

export function parseServerSettings(read: VariableReader<ServerVariable>, problems: string[]): ServerSettings {
  const tenantPort = read.int('MATIH_TENANT_PORT', 0, 65535);
  const infraPort = read.int('MATIH_INFRA_PORT', 0, 65535);
  if (tenantPort === infraPort && tenantPort !== 0) {
    problems.push(`MATIH_TENANT_PORT and MATIH_INFRA_PORT must differ (both ${tenantPort})`);
  }

  const enabledCloudProviders: CloudProvider[] = [];
  for (const item of read.text('MATIH_CLOUD_PROVIDERS').split(',').map((s) => s.trim()).filter(Boolean)) {
    const provider = parseCloudProvider(item);
    if (provider) enabledCloudProviders.push(provider);
    else problems.push(`MATIH_CLOUD_PROVIDERS: "${item}" is not one of ${CLOUD_PROVIDERS.join(', ')}`);
  }

  const logLevel = read.text('MATIH_LOG_LEVEL') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`MATIH_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  return {
    tenantPort,
    infraPort,
    host: read.text('MATIH_HOST'),
    enabledCloudProviders,
    bodyLimitBytes: read.int('MATIH_BODY_LIMIT_BYTES', 1024, 10 * 1024 * 1024),
    requestTimeoutMs: read.int('MATIH_REQUEST_TIMEOUT_S', 1, 3600) * 1000,
    maxConnections: read.int('MATIH_MAX_CONNECTIONS', 1, 1_000_000),
    logLevel,
    shutdownGraceMs: read.int('MATIH_SHUTDOWN_GRACE_MS', 0, 600_000),
    shutdownDelayMs: read.int('MATIH_SHUTDOWN_DELAY_MS', 0, 600_000),
    uiDir: path.resolve(read.text('MATIH_UI_DIR') || DEFAULT_UI_DIR),
  };
}
