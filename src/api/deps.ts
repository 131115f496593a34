import type { FastifyBaseLogger } from 'fastify';
import type { CloudProvider } from '../domain/cloud.js';
import type { Authenticator } from '../iam/authenticator.js';
import type { Principal } from '../iam/principal.js';
import type { TokenService } from '../iam/token-service.js';
import type { Database } from '../store/open-database.js';
import type { ApiMetrics } from './metrics.js';

/** Everything the HTTP layer needs, passed in by the composition root (app.ts) or a test. */
export interface ApiDeps {
  database: Database;
  authenticate: Authenticator;
  tokens: TokenService;
  metrics: ApiMetrics;
  logger: FastifyBaseLogger;
  enabledCloudProviders: readonly CloudProvider[];
  bodyLimitBytes: number;
  /** Retries a provisioning job may make before it fails (MATIH_MAX_RETRIES). */
  maxRetries: number;
  /** Tells this process's workers there is work now (polling finds it anyway, later). */
  wakeWorkers: () => void;
  /** How often a WebSocket progress stream reads new transitions (default 250 ms). */
  progressPollMs?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every route that is not public. */
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** A public route needs no bearer token (health, readiness, metrics, token exchange). */
    public?: boolean;
  }
}
