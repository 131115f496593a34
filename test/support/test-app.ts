import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildInfraServer, buildServer } from '../../src/api/build-server.js';
import type { ApiDeps } from '../../src/api/deps.js';
import { ApiMetrics } from '../../src/api/metrics.js';
import { CLOUD_PROVIDERS, type CloudProvider } from '../../src/domain/cloud.js';
import { credentialChecks } from '../../src/iam/authenticator.js';
import { bootstrapMatcher } from '../../src/iam/bootstrap-token.js';
import { type OidcOptions, OidcVerifier } from '../../src/iam/oidc-verifier.js';
import { SigningKeyRing } from '../../src/iam/signing-key-ring.js';
import { AesGcmSecretBox } from '../../src/drivers/secrets/aes-gcm-secret-box.js';
import { TokenService } from '../../src/iam/token-service.js';
import { type Engine, buildEngine } from '../../src/app.js';
import type { EdgeSettings } from '../../src/config/edge-settings.js';
import type { EventSettings } from '../../src/config/event-settings.js';
import type { ArchiveS3Settings } from '../../src/config/archive-s3-settings.js';
import type { RequestLimitSettings } from '../../src/config/request-limit-settings.js';
import type { SimFault } from '../../src/config/engine-settings.js';
import { footprintOf } from '../../src/steps/workload-footprint.js';
import { type TestDatabase, openTestDatabase, tenantNamePrefixFor } from './databases.js';
import { networkIsolation } from './network-isolation.js';
import { TEST_ENVIRONMENT } from './deploy-environment.js';

export const BOOTSTRAP_TOKEN = 'test-bootstrap-token-0123456789abcdef';

export interface TestApp {
  app: FastifyInstance;
  infra: FastifyInstance;
  database: TestDatabase;
  deps: ApiDeps;
  engine: Engine | undefined;
  /** The JWT signing keys, for tests that forge or rotate. */
  signingKeys: SigningKeyRing;
  close(): Promise<void>;
}

export interface TestAppOptions {
  enabledCloudProviders?: readonly CloudProvider[];
  /** The clouds dedicated (Enterprise) infrastructure can be built on; default: all. */
  dedicatedCloudProviders?: readonly CloudProvider[];
  bodyLimitBytes?: number;
  requestTimeoutMs?: number;
  maxConnections?: number;
  jwtTtlSeconds?: number;
  logger?: FastifyBaseLogger;
  /** Runs the provisioning engine over the simulated cloud, with these settings over the defaults. */
  engine?: EngineSettings;
  /** A built dashboard to serve at / (ui/dist, or a test's own build). */
  dashboardDir?: string;
  /** The database to serve from (closed with the app); default: a fresh one of its own. */
  database?: TestDatabase;
  /** Where the engine logs; default: nowhere (TEST_LOG_LEVEL to see it). */
  engineLogger?: pino.Logger;
  /** Accept the tokens of an OpenID Provider (MATIH_OIDC_*), as app.ts wires it. */
  oidc?: OidcOptions;
  /** Rate limits and lockouts (MATIH_RATE_LIMIT_*, MATIH_*_LOCKOUT_*); default: none, so that no suite is throttled by accident. */
  requestLimits?: RequestLimitSettings;
}

export interface EngineSettings {
  delayMs?: number;
  faults?: SimFault[];
  backoffSeconds?: number[];
  maxRetries?: number;
  concurrency?: number;
  leaseMs?: number;
  rollbackOnFailure?: boolean;
  owner?: string;
  readyTimeoutMs?: number;
  verifyTimeoutMs?: number;
  loadBalancerWaitMs?: number;
  /** Default: embedded (its server not listening until a test starts it: engine.dnsServer.listen()). */
  dns?: EdgeSettings['dns'];
  /** Default: local-ca. */
  tls?: EdgeSettings['tls'];
  /** Default: the simulated cluster. */
  cluster?: { kind: 'simulated' } | { kind: 'kubernetes'; kubeconfig: string | undefined };
  /** Merged over the defaults (the log sink and notifier, a 50 ms relay poll), e.g. to enable the NATS sink. */
  events?: Partial<EventSettings>;
  /** Default: a fresh temporary directory. */
  archiveDir?: string;
  /** Set: the archive goes to this S3 bucket (MATIH_ARCHIVE_STORE=s3) instead. */
  archiveS3?: ArchiveS3Settings;
  deletionCodeTtlSeconds?: number;
  /** Default 0: no periodic sweep. */
  reconcileIntervalMs?: number;
  reconcileMaxJobs?: number;
}

/** A fixed key for sealing secrets in tests (MATIH_SECRET_KEY). */
export const TEST_SECRET_KEY = Buffer.alloc(32, 42).toString('base64');

/**
 * The engine's configuration for a test over `database`: the simulated cluster, and tenant
 * databases in the test's own database, with a prefix of its own for the server-wide names
 * (roles, Enterprise databases) so that they are dropped with it.
 */
export function engineConfig(s: EngineSettings, database: Pick<TestDatabase, 'url'>) {
  const { url } = database;
  return {
    cluster: s.cluster ?? { kind: 'simulated' as const },
    tenantDatabases: { url, namePrefix: tenantNamePrefixFor(url) },
    secretKey: TEST_SECRET_KEY,
    readyTimeoutMs: s.readyTimeoutMs ?? 30_000,
    verifyTimeoutMs: s.verifyTimeoutMs ?? 5_000,
    sim: { delayMs: s.delayMs ?? 0, faults: s.faults ?? [] },
    engine: { concurrency: s.concurrency ?? 4, leaseMs: s.leaseMs ?? 10_000, pollMs: 50, rollbackOnFailure: s.rollbackOnFailure ?? true },
    retry: { backoffSeconds: s.backoffSeconds ?? [1, 2, 4], maxRetries: s.maxRetries ?? 3 },
    baseDomain: 'matih.test',
    // As the service with no MATIH_ALERT_SMTP_* set: the platform Alertmanager's own SMTP settings.
    alerting: { smtp: {} },
    // The defaults, with the database endpoint derived from the test database's URL as the service derives it.
    networkIsolation: networkIsolation({}, url),
    environment: TEST_ENVIRONMENT,
    edge: {
      loadBalancerWaitMs: s.loadBalancerWaitMs ?? 30_000,
      // Port 0: test files run in parallel, and each engine's server takes a free port of its own.
      dns: s.dns ?? { driver: 'embedded' as const, host: '127.0.0.1', port: 0, nameServers: ['ns1.matih.test'], ttl: 300 },
      tls: s.tls ?? ('local-ca' as const),
    },
    enterprise: {
      servicePrincipal: 'simulated' as const,
      terraform: { kind: 'simulated' as const },
      lockLeaseMs: 60_000,
      azure: undefined,
    },
    lifecycle: {
      // The database unless a test names a directory, as the service does.
      archiveStore: s.archiveS3 ? ('s3' as const) : s.archiveDir ? ('directory' as const) : ('database' as const),
      archiveS3: s.archiveS3,
      archiveDir: s.archiveDir ?? mkdtempSync(path.join(tmpdir(), 'matih-test-archive-')),
      deletionCodeTtlSeconds: s.deletionCodeTtlSeconds ?? 600,
      // Off unless a test asks: sweeps would race the assertions of tests about other things.
      reconcileIntervalMs: s.reconcileIntervalMs ?? 0,
      reconcileMaxJobs: s.reconcileMaxJobs ?? 4,
      tombstoneRetentionDays: 365,
    },
    events: {
      sinks: ['log'] as const,
      notifier: 'log' as const,
      smtpUrl: undefined,
      smtpFrom: 'matih@localhost',
      relayPollMs: 50,
      ...s.events,
    } satisfies EventSettings,
  };
}

/** The tenant and infrastructure servers over a fresh database, wired as app.ts wires them. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await openTestDatabase());
  const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  // As app.ts wires them: the engine reports to the metrics /metrics serves.
  const metrics = new ApiMetrics(database.db);
  const engine = options.engine ? await buildEngine(database.db, engineConfig(options.engine, database), options.engineLogger ?? silent, { owner: options.engine.owner, telemetry: metrics.engine }) : undefined;
  // The JWT keys as the service keeps them: sealed in the database, shared by apps on one database.
  const signingKeys = new SigningKeyRing(database.db, new AesGcmSecretBox(TEST_SECRET_KEY), { rotateAfterMs: 0, tokenTtlMs: (options.jwtTtlSeconds ?? 900) * 1000 });
  await signingKeys.load();
  const tokens = new TokenService(signingKeys, options.jwtTtlSeconds ?? 900);
  const oidc = options.oidc ? new OidcVerifier(options.oidc) : undefined;
  const deps: ApiDeps = {
    database,
    tokens,
    signingKeys,
    ...credentialChecks({ db: database.db, tokens, isBootstrapToken: bootstrapMatcher(BOOTSTRAP_TOKEN), oidc }),
    ...(oidc ? { oidc } : {}),
    metrics,
    logger: options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    enabledCloudProviders: options.enabledCloudProviders ?? CLOUD_PROVIDERS,
    ...(options.dedicatedCloudProviders ? { dedicatedCloudProviders: options.dedicatedCloudProviders } : {}),
    bodyLimitBytes: options.bodyLimitBytes ?? 65_536,
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
    maxRetries: options.engine?.maxRetries ?? 3,
    workloadFootprint: footprintOf,
    deletionCodeTtlSeconds: options.engine?.deletionCodeTtlSeconds ?? 600,
    ...(options.requestLimits ? { requestLimits: options.requestLimits } : {}),
    wakeWorkers: () => engine?.worker.wake(),
    ...(engine?.cluster ? { simCluster: engine.cluster } : {}),
    ...(engine?.certificateAuthority ? { certificateAuthority: engine.certificateAuthority } : {}),
    ...(engine ? { reconciler: engine.reconciler, secretKeyRotation: engine.secretKeyRotation } : {}),
    ...(options.dashboardDir ? { dashboardDir: options.dashboardDir } : {}),
    // Read when the dashboard asks, after a test made the infrastructure server listen.
    infraPort: () => {
      const address = infra.server.address();
      return address !== null && typeof address === 'object' ? address.port : undefined;
    },
  };
  const app = await buildServer(deps);
  const infra = await buildInfraServer(deps);
  engine?.worker.start();
  engine?.reconciler.start();
  return {
    app,
    infra,
    database,
    deps,
    engine,
    signingKeys,
    async close() {
      await app.close();
      await infra.close();
      await engine?.stop();
      await database.close();
    },
  };
}

export const adminAuth = { authorization: `Bearer ${BOOTSTRAP_TOKEN}` };

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

let counter = 0;

/** A valid create-tenant body whose unique fields differ on every call. */
export function tenantBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  const n = `${process.pid}-${counter}-${Math.random().toString(36).slice(2, 7)}`;
  return {
    name: `Tenant ${n}`,
    slug: `t-${n}`,
    tier: 'PROFESSIONAL',
    adminEmail: `admin-${n}@example.com`,
    cloudProvider: 'AZURE',
    region: 'eastus',
    ...overrides,
  };
}

export interface CreatedTenantResponse {
  id: string;
  name: string;
  slug: string;
  adminEmail: string;
  tier: string;
  status: string;
  initialApiKey: { id: string; key: string; role: string };
  provisioningJobId: string;
}

export async function createTenantViaApi(app: FastifyInstance, overrides: Record<string, unknown> = {}): Promise<CreatedTenantResponse> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/tenants', headers: adminAuth, payload: tenantBody(overrides) });
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return res.json<CreatedTenantResponse>();
}
