import type { FastifyBaseLogger } from 'fastify';
import type { RequestLimitSettings } from '../config/request-limit-settings.js';
import type { CloudProvider } from '../domain/cloud.js';
import type { FootprintOf } from '../domain/infrastructure-configuration.js';
import type { Authenticator, CredentialRecheck } from '../iam/authenticator.js';
import type { OidcVerifier } from '../iam/oidc-verifier.js';
import type { Principal } from '../iam/principal.js';
import type { SigningKeyRing } from '../iam/signing-key-ring.js';
import type { TokenService } from '../iam/token-service.js';
import type { Database } from '../store/open-database.js';
import type { InfrastructureReconciler } from '../engine/reconciler.js';
import type { SecretKeyRotation } from '../engine/secret-key-rotation.js';
import type { KubeObject, ObjectRef } from '../shared/kubernetes-objects.js';
import type { Draining } from './draining.js';
import type { ApiMetrics } from './metrics.js';

/** Everything the HTTP layer needs, passed in by the composition root (app.ts) or a test. */
export interface ApiDeps {
  database: Database;
  authenticate: Authenticator;
  /** The open progress streams' credentials, checked again in one round (iam/authenticator.ts createCredentialRecheck). */
  recheckCredentials: CredentialRecheck;
  tokens: TokenService;
  /** The OpenID Provider (MATIH_OIDC_*): its tokens' verifier, and the dashboard's and matihctl's sign-in (404 without). */
  oidc?: OidcVerifier;
  /** The JWT signing keys: POST /api/v1/auth/signing-keys/rotate rotates them (404 without). */
  signingKeys?: Pick<SigningKeyRing, 'rotate'>;
  metrics: ApiMetrics;
  logger: FastifyBaseLogger;
  enabledCloudProviders: readonly CloudProvider[];
  /** The clouds this installation builds dedicated (Enterprise) infrastructure on; default: all. */
  dedicatedCloudProviders?: readonly CloudProvider[];
  bodyLimitBytes: number;
  /** MATIH_REQUEST_TIMEOUT_S: the whole request (headers and body) must arrive within it; default 30 s. */
  requestTimeoutMs?: number;
  /** MATIH_MAX_CONNECTIONS per server; default 10,000. */
  maxConnections?: number;
  /** Retries a provisioning job may make before it fails (MATIH_MAX_RETRIES). */
  maxRetries: number;
  /** What a tenant's own workloads take of its namespace: an Enterprise tenant's declared quota must hold it. */
  workloadFootprint: FootprintOf;
  /** Tells this process's workers there is work now (polling finds it anyway, later). */
  wakeWorkers: () => void;
  /** Rate limits and lockouts (MATIH_RATE_LIMIT_*, MATIH_*_LOCKOUT_*, MATIH_TRUST_PROXY; api/request-limits.ts); unset: none. */
  requestLimits?: RequestLimitSettings;
  /** How long a deletion confirmation code is good for (MATIH_DELETION_CODE_TTL_S; default 600). */
  deletionCodeTtlSeconds?: number;
  /** How often the WebSocket progress fan-out checks its tenants' sequences beside NOTIFY, its safety net (default 10 s). */
  progressCheckMs?: number;
  /** The simulated cluster, when the service runs one: /api/v1/sim/objects inspects it (404 without). */
  simCluster?: SimClusterAccess;
  /** The local CA (MATIH_TLS_DRIVER=local-ca): GET /api/v1/tls/ca.pem hands out its certificate (404 without). */
  certificateAuthority?: { caCertificatePem(): Promise<string> };
  /** MATIH_SECRET_KEY rotation: /api/v1/admin/secret-key/rotation counts and re-seals the sealed values (404 without). */
  secretKeyRotation?: Pick<SecretKeyRotation, 'census' | 'rotate' | 'previousKeys'>;
  /** The desired-state reconciler: woken by declaration changes, its status on the infrastructure API (404 without). */
  reconciler?: Pick<InfrastructureReconciler, 'wake' | 'status'>;
  /** The built dashboard (MATIH_UI_DIR), served at / on the tenant API; unset: / says how to build it. */
  dashboardDir?: string;
  /** The port the infrastructure API listens on, once it does: the dashboard calls it from the browser. */
  infraPort?: () => number | undefined;
  /** A span per request (api/request-tracing.ts), when OTEL_* turned tracing on; unset: no tracing hooks at all. */
  traceRequests?: boolean;
  /** Set at SIGTERM: `/ready` answers 503 from then on (api/draining.ts); unset: never draining. */
  draining?: Draining;
}

/** What the inspection API needs of the simulated cluster (drivers/simulated's SimulatedCluster fits it). */
export interface SimClusterAccess {
  /** Every object, in one namespace or all, optionally of one kind (e.g. "Deployment"). */
  listAll(namespace?: string, kind?: string): Promise<KubeObject[]>;
  /** Deletes one object (a Namespace with everything in it); true when it existed. */
  remove(ref: ObjectRef): Promise<boolean>;
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
