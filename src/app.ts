import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildInfraServer, buildServer } from './api/build-server.js';
import type { ApiDeps } from './api/deps.js';
import { Draining } from './api/draining.js';
import { ApiMetrics } from './api/metrics.js';
import { serializeRequest } from './api/request-log.js';
import type { Config } from './config/load-config.js';
import { credentialChecks } from './iam/authenticator.js';
import { type BootstrapToken, bootstrapMatcher, ensureBootstrapToken } from './iam/bootstrap-token.js';
import { OidcVerifier } from './iam/oidc-verifier.js';
import { SigningKeyRing } from './iam/signing-key-ring.js';
import { TokenService } from './iam/token-service.js';
import { KeyRingSecretBox } from './drivers/secrets/key-ring-secret-box.js';
import { releaseAllLeases } from './store/engine/renew-lease.js';
import { migrate } from './store/migrate.js';
import { type ControlPlaneDatabase, openControlPlaneDatabase } from './store/server/control-plane-database.js';
import { type Engine, buildEngine } from './build-engine.js';
import { ensureSecretKey } from './iam/secret-key.js';
import type { DnsServerPorts } from './drivers/dns/embedded-dns-server.js';
import { footprintOf } from './steps/workload-footprint.js';
import { dedicatedCloudProviders } from './config/enterprise-settings.js';
import { type Tracing, startTracing } from './build-tracing.js';
import { traceLogFields } from './shared/tracing.js';

/**
 * The composition root: config -> database -> store -> IAM -> API. The only module that picks
 * concrete implementations; everything else receives them.
 */
export interface App {
  readonly config: Config;
  readonly database: ControlPlaneDatabase;
  readonly tenantServer: FastifyInstance;
  readonly infraServer: FastifyInstance;
  readonly bootstrap: BootstrapToken;
  readonly logger: Logger;
  readonly engine: Engine;
  /** Binds both ports (and the embedded DNS server's) and starts the workers; returns where they listen. */
  listen(): Promise<{ tenantUrl: string; infraUrl: string; dns: DnsServerPorts | undefined }>;
  /**
   * The graceful stop: `/ready` fails at once; the engine stops claiming and hands its jobs back
   * (running steps get half the grace to finish) while the listeners, after MATIH_SHUTDOWN_DELAY_MS,
   * stop taking connections and finish the requests in flight; then the database closes. Idempotent.
   */
  close(): Promise<void>;
}

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  '*.apiKey',
  '*.key',
  '*.token',
  '*.accessToken',
  '*.password',
  '*.secret',
  '*.secretHash',
];

export { type Engine, type EngineConfig, buildEngine } from './build-engine.js';

/** The service's logger options but the level: credentials redacted, secret query parameters too (api/request-log.ts). */
export const LOGGER_OPTIONS = {
  redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  serializers: { req: serializeRequest },
} satisfies pino.LoggerOptions;

/** With tracing on, a line written inside a traced span carries its `trace_id` and `span_id`; off, no line pays for the lookup. */
export function createLogger(config: Pick<Config, 'logLevel' | 'tracing'>): Logger {
  return pino({ level: config.logLevel, ...LOGGER_OPTIONS, ...(config.tracing ? { mixin: traceLogFields } : {}) });
}

export async function createApp(config: Config, logger: Logger = createLogger(config)): Promise<App> {
  // Before anything makes a span; only when OTEL_* configures it (config/tracing-settings.ts).
  const tracing: Tracing | undefined = config.tracing ? await startTracing(config.tracing, logger) : undefined;
  // The database first: the embedded one takes the data-directory lock, so a second process
  // stops before it can touch the bootstrap token.
  const database = await openControlPlaneDatabase(config, logger);
  try {
    const bootstrap = ensureBootstrapToken(config.bootstrapToken, config.dataDir);
    const applied = await migrate(database.db);
    if (applied.length > 0) logger.info({ applied }, 'database migrations applied');
    // The embedded server serves one process (the lock file sees to it): any lease is a dead one's.
    if (database.kind === 'embedded') await releaseAllLeases(database.db);
    const secretKey = ensureSecretKey(config.secretKey, config.dataDir);
    if (secretKey.file !== undefined && database.kind === 'external') {
      // Replicas on one server each have a data directory: unless they share MATIH_SECRET_KEY,
      // one cannot open what another sealed, and a tenant's secrets step fails on it.
      logger.warn({ file: secretKey.file }, 'MATIH_SECRET_KEY is not set: using a key from the data directory; replicas must share one key');
    }
    if (config.previousSecretKeys.length > 0) {
      logger.info({ previousKeys: config.previousSecretKeys.length }, 'MATIH_SECRET_KEY_PREVIOUS is set: values sealed with those keys still open; once every replica has the new key, run `matihctl admin rotate-secret-key`, then remove it');
    }
    // The generated key of the data directory is as current as MATIH_SECRET_KEY: after moving to a
    // shared key, the file's key goes in MATIH_SECRET_KEY_PREVIOUS until the rotation is done.
    const signingKeys = new SigningKeyRing(database.db, new KeyRingSecretBox(secretKey.key, config.previousSecretKeys), {
      rotateAfterMs: config.jwtKeyRotationDays * 86_400_000,
      tokenTtlMs: config.jwtTtlSeconds * 1000,
    });
    await signingKeys.load();
    const tokens = new TokenService(signingKeys, config.jwtTtlSeconds);
    // Discovery waits for the first token or sign-in, so the service starts while the provider is away.
    const oidc = config.oidc ? new OidcVerifier(config.oidc) : undefined;
    if (oidc) logger.info({ issuer: oidc.options.issuer, audience: oidc.options.audience }, 'accepting access tokens from the OpenID Provider');
    const tenantDatabases = { ...config.tenantDatabases, url: config.tenantDatabases.url ?? database.url };
    const metrics = new ApiMetrics(database.db, { processMetrics: true });
    const engine = await buildEngine(database.db, { ...config, tenantDatabases, secretKey: secretKey.key }, logger, { telemetry: metrics.engine });
    const draining = new Draining();
    const deps: ApiDeps = {
      database,
      draining,
      traceRequests: tracing !== undefined,
      tokens,
      signingKeys,
      ...credentialChecks({ db: database.db, tokens, isBootstrapToken: bootstrapMatcher(bootstrap.token), oidc }),
      ...(oidc ? { oidc } : {}),
      metrics,
      logger,
      enabledCloudProviders: config.enabledCloudProviders,
      dedicatedCloudProviders: dedicatedCloudProviders(config.enterprise),
      bodyLimitBytes: config.bodyLimitBytes,
      requestTimeoutMs: config.requestTimeoutMs,
      maxConnections: config.maxConnections,
      maxRetries: config.retry.maxRetries,
      workloadFootprint: footprintOf,
      deletionCodeTtlSeconds: config.lifecycle.deletionCodeTtlSeconds,
      requestLimits: config.requestLimits,
      simCluster: engine.cluster,
      reconciler: engine.reconciler,
      secretKeyRotation: engine.secretKeyRotation,
      ...(engine.certificateAuthority ? { certificateAuthority: engine.certificateAuthority } : {}),
      dashboardDir: config.uiDir,
      infraPort: () => listeningPort(infraServer),
      wakeWorkers: () => {
        engine.worker.wake();
        engine.relay.wake();
      },
    };
    const tenantServer = await buildServer(deps);
    const infraServer = await buildInfraServer(deps);
    let closing: Promise<void> | undefined;
    return {
      config,
      database,
      tenantServer,
      infraServer,
      bootstrap,
      logger,
      engine,
      async listen() {
        const tenantUrl = await tenantServer.listen({ port: config.tenantPort, host: config.host });
        const infraUrl = await infraServer.listen({ port: config.infraPort, host: config.host });
        // Before the workers: CREATE_DNS_ZONE's zones should answer from the moment they exist.
        const dns = await engine.dnsServer?.listen();
        if (dns) logger.info({ dns }, 'embedded DNS server listening');
        engine.worker.start();
        engine.relay.start();
        engine.housekeeping.start();
        engine.reconciler.start();
        return { tenantUrl, infraUrl, dns };
      },
      close() {
        closing ??= (async () => {
          draining.start();
          const servers = (async () => {
            if (config.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
            await Promise.allSettled([tenantServer.close(), infraServer.close()]);
          })();
          // Half the grace for the steps in flight: the other half is for handing the leases back
          // and stopping the drivers (and an embedded PostgreSQL) before main.ts gives up.
          await Promise.allSettled([servers, engine.stop(Math.floor(config.shutdownGraceMs / 2))]);
          await database.close();
          // Last: the spans of everything above are exported before the process exits.
          await tracing?.shutdown();
        })();
        return closing;
      },
    };
  } catch (error) {
    await database.close();
    await tracing?.shutdown();
    throw error;
  }
}

/** The port a server is bound to (MATIH_INFRA_PORT may be 0: any free one); undefined before listen. */
function listeningPort(server: FastifyInstance): number | undefined {
  const address = server.server.address();
  return address !== null && typeof address === 'object' ? address.port : undefined;
}
