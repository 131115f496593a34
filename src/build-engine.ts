import type { Logger } from 'pino';
import type { Config } from './config/load-config.js';
import type { ClusterDriver, DnsDriver, TenantDatabaseDriver, TerraformDriver } from './drivers/contract.js';
import { buildArchiveStore } from './build-archive-store.js';
import { buildDns } from './build-dns.js';
import { buildServicePrincipals, buildTerraform } from './build-terraform.js';
import { terraformStateLockStore } from './store/terraform/terraform-state-lock-store.js';
import { tenantConfigSource } from './store/tenants/tenant-config-source.js';
import { buildEventSinks, closeEventSinks } from './drivers/build-event-delivery.js';
import type { EmbeddedDnsServer } from './drivers/dns/embedded-dns-server.js';
import { LOCAL_CA_STORE_NAME, LocalCertificateAuthority } from './drivers/tls/local-ca.js';
import { getOrCreateSigningKey } from './store/iam/signing-key.js';
import { PostgresTenantDatabase } from './drivers/database/postgres-tenant-database.js';
import { KeyRingSecretBox } from './drivers/secrets/key-ring-secret-box.js';
import type { SimResourceStore } from './drivers/simulated/sim-resource-store.js';
import { SimulatedCluster } from './drivers/simulated/simulated-cluster.js';
import { OutboxRelay } from './engine/outbox-relay.js';
import { DriftDetector } from './engine/drift-detector.js';
import { type EngineTelemetry, NO_ENGINE_TELEMETRY } from './engine/engine-telemetry.js';
import { instrumentDriver } from './engine/instrument-drivers.js';
import { Housekeeping } from './engine/housekeeping.js';
import { SecretKeyRotation } from './engine/secret-key-rotation.js';
import { InfrastructureReconciler } from './engine/reconciler.js';
import { Worker } from './engine/worker.js';
import type { Db } from './store/open-database.js';
import { simObjectStore } from './store/sim/sim-objects.js';
import { deleteSimResource, getSimResource, listSimResources, upsertSimResource } from './store/sim/sim-resources.js';
import { FaultInjector } from './steps/support/fault-injection.js';
import { tenantAuditExport } from './store/engine/export-tenant-audit.js';
import type { StepName } from './domain/plans.js';
import { buildStepRegistry } from './steps/registry.js';
import type { StepHandler } from './steps/step.js';

/** What the engine needs of the configuration; `secretKey` resolved (from config or the data directory). */
export type EngineConfig = Pick<
  Config,
  'sim' | 'engine' | 'retry' | 'baseDomain' | 'events' | 'cluster' | 'environment' | 'readyTimeoutMs' | 'verifyTimeoutMs' | 'edge' | 'alerting' | 'enterprise' | 'lifecycle' | 'networkIsolation'
> & {
  secretKey: string;
  /** MATIH_SECRET_KEY_PREVIOUS: keys that still open what they sealed until the rotation is done. */
  previousSecretKeys?: readonly string[];
  /** TENANT_DATABASE_URL, or the control-plane database's when unset (resolved once the database is open). */
  tenantDatabases: { url: string; namePrefix: string };
};

export interface Engine {
  worker: Worker;
  /** Delivers outbox events to the configured sinks (log, webhook, notifications). */
  relay: OutboxRelay;
  /** Where tenant objects go: the real cluster, or the simulated one (a test double). */
  clusterDriver: ClusterDriver;
  /** The simulated cluster when MATIH_CLUSTER=simulated (the default), for inspection and drift tests. */
  cluster: SimulatedCluster | undefined;
  tenantDatabase: TenantDatabaseDriver;
  /** Where tenant zones go (MATIH_DNS_DRIVER). */
  dns: DnsDriver;
  /** The embedded authoritative server answering `dns` (MATIH_DNS_DRIVER=embedded); not listening until started. */
  dnsServer: EmbeddedDnsServer | undefined;
  /** The local CA (MATIH_TLS_DRIVER=local-ca): clients trust its certificate to reach tenant hosts. */
  certificateAuthority: LocalCertificateAuthority | undefined;
  /** Terraform for Enterprise tenants: the simulated runner (MATIH_TERRAFORM=simulated, a test double) or the CLI. */
  terraform: TerraformDriver;
  /** MATIH_SIM_FAULTS: tests change the faults while the engine runs. */
  faults: FaultInjector;
  /** Re-seals every sealed value with MATIH_SECRET_KEY (the admin API's secret-key rotation). */
  secretKeyRotation: SecretKeyRotation;
  /** Every step of every plan, bound to the drivers above: the worker runs them, the drift detector asks them to observe. */
  steps: ReadonlyMap<StepName, StepHandler>;
  /** The hourly clean-up of the control plane's own tables (expired token revocations); not running until started. */
  housekeeping: Housekeeping;
  /** spec/000's desired-state reconciler (MATIH_RECONCILE_INTERVAL_S, MATIH_RECONCILE_MAX_JOBS); not running until started. */
  reconciler: InfrastructureReconciler;
  /**
   * Stops the loops (reconciler, worker, relay, housekeeping), then closes the drivers'
   * connections. Running steps get `finishWithinMs` to finish (default 0: aborted at once).
   */
  stop(finishWithinMs?: number): Promise<void>;
}

export interface EngineOptions {
  /** The worker's lease owner; default: host, pid and a random suffix. */
  owner?: string | undefined;
  /** Receives what the engine measures (the service passes api/engine-metrics.ts); default: nothing. */
  telemetry?: EngineTelemetry;
}

/**
 * The provisioning engine and its drivers, as the service and the tests run it: the cluster of
 * MATIH_CLUSTER, the tenant databases of TENANT_DATABASE_URL (the control-plane database's server
 * when unset, embedded or not: app.ts fills it in), secrets sealed with the secret key.
 */
export async function buildEngine(db: Db, config: EngineConfig, logger: Logger, options: EngineOptions = {}): Promise<Engine> {
  const { owner, telemetry = NO_ENGINE_TELEMETRY } = options;
  const simStore: SimResourceStore = {
    get: (tenantId, kind, name) => getSimResource(db, tenantId, kind, name),
    upsert: (r) => upsertSimResource(db, r),
    remove: (tenantId, kind, name) => deleteSimResource(db, tenantId, kind, name),
    list: (tenantId, step) => listSimResources(db, tenantId, step),
  };
  const cluster = config.cluster.kind === 'simulated' ? new SimulatedCluster(simObjectStore(db), { delayMs: config.sim.delayMs }) : undefined;
  // The Kubernetes and Azure clients are loaded only when configured: together they are most of
  // a second of the service's start (bench/startup.ts), for drivers the default never uses.
  const clusterDriver: ClusterDriver =
    cluster ??
    new (await import('./drivers/kubernetes/kubernetes-driver.js')).KubernetesClusterDriver({
      kubeConfig: config.cluster.kind === 'kubernetes' && config.cluster.kubeconfig ? { kind: 'file', path: config.cluster.kubeconfig } : { kind: 'in-cluster' },
      // The Helm chart's ClusterRole is made of this table: a request outside it fails at once, naming the permission.
      permissions: (await import('./drivers/kubernetes/api-permissions.js')).CONTROL_PLANE_PERMISSIONS,
    });
  const tenantDatabase = new PostgresTenantDatabase({ adminUrl: config.tenantDatabases.url, poolSize: 4 });
  const secretBox = new KeyRingSecretBox(config.secretKey, config.previousSecretKeys);
  const { dns, dnsServer } = await buildDns(db, config, logger);
  const certificateAuthority =
    config.edge.tls === 'local-ca'
      ? new LocalCertificateAuthority(
          // Generated before asking the store, which keeps the first replica's: a rare wasted key beats a lock.
          async (generate) => {
            const mine = await generate();
            return getOrCreateSigningKey(db, LOCAL_CA_STORE_NAME, () => mine);
          },
          secretBox,
        )
      : undefined;
  const terraform = buildTerraform(config, simStore);
  const terraformLog = logger.child({ component: 'terraform' });
  // Where no address was given, the egress policies open their port to any address rather than
  // cut tenants off (network-isolation-settings.ts); on a real cluster the operator should know.
  if (config.cluster.kind === 'kubernetes') {
    const { tenantDatabase, kubernetesApi } = config.networkIsolation;
    if (tenantDatabase.source === 'any-address') {
      logger.warn({ ports: tenantDatabase.ports }, 'MATIH_TENANT_DB_EGRESS_CIDRS is unset and the tenant database URL gives no address: tenant pods may reach any address on the database port');
    }
    if (kubernetesApi.source === 'any-address') {
      logger.warn({ ports: kubernetesApi.ports }, 'MATIH_KUBE_API_EGRESS_CIDRS is unset: the tenant ingress controller, Prometheus and Grafana may reach any address on the API server ports');
    }
  }
  const faults = new FaultInjector(config.sim.faults);
  // The drivers as the steps and the drift detector call them: each call a span of the step
  // attempt or sweep making it, each failure counted (engine/instrument-drivers.ts).
  const instrumented = <T extends object>(name: string, driver: T): T => instrumentDriver(name, driver, telemetry);
  const observedDrivers = { cluster: instrumented('cluster', clusterDriver), tenantDatabase: instrumented('tenant-database', tenantDatabase), dns: instrumented('dns', dns) };
  const steps = faults.wrapAll(
    buildStepRegistry(
      {
        ...observedDrivers,
        secretBox,
        tls: certificateAuthority ? { mode: 'local-ca', issuer: instrumented('tls', certificateAuthority) } : { mode: 'cert-manager' },
      },
      {
        baseDomain: config.baseDomain,
        alertSmtp: config.alerting.smtp,
        environment: { name: config.environment.name, values: config.environment.values },
        readyTimeoutMs: config.readyTimeoutMs,
        verifyTimeoutMs: config.verifyTimeoutMs,
        verifyIntervalMs: Math.min(1000, config.verifyTimeoutMs),
        tenantDbPrefix: config.tenantDatabases.namePrefix,
        loadBalancerWaitMs: config.edge.loadBalancerWaitMs,
        dnsTtl: config.edge.dns.ttl,
        createParentZone: config.edge.dns.driver === 'embedded',
        networkIsolation: config.networkIsolation,
      },
      {
        tenantConfig: tenantConfigSource(db),
        archive: {
          store: instrumented('archive', await buildArchiveStore(db, config.lifecycle)),
          exportAudit: tenantAuditExport(db),
        },
        enterprise: {
          deps: { servicePrincipals: instrumented('service-principal', await buildServicePrincipals(config)), stateLocks: terraformStateLockStore(db), terraform: instrumented('terraform', terraform) },
          options: {
            lockLeaseMs: config.enterprise.lockLeaseMs,
            onProgress: (event, source) => {
              const level = event.level === 'error' ? 'error' : event.level === 'warn' ? 'warn' : 'debug';
              terraformLog[level]({ ...source, type: event.type, address: event.address, action: event.action }, event.message);
            },
          },
        },
      },
    ),
  );
  const worker = new Worker(
    db,
    steps,
    {
      owner,
      concurrency: config.engine.concurrency,
      leaseMs: config.engine.leaseMs,
      pollMs: config.engine.pollMs,
      backoffSeconds: config.retry.backoffSeconds,
      rollbackOnFailure: config.engine.rollbackOnFailure,
      telemetry,
    },
    logger.child({ component: 'worker' }),
  );
  const housekeeping = new Housekeeping(db, logger.child({ component: 'housekeeping' }), { tombstoneRetentionDays: config.lifecycle.tombstoneRetentionDays });
  const reconciler = new InfrastructureReconciler(
    db,
    new DriftDetector(observedDrivers, steps),
    {
      owner: worker.owner,
      intervalMs: config.lifecycle.reconcileIntervalMs,
      maxJobs: config.lifecycle.reconcileMaxJobs,
      maxRetries: config.retry.maxRetries,
      onQueued: () => worker.wake(),
      telemetry,
    },
    logger.child({ component: 'reconciler' }),
  );
  const sinks = buildEventSinks(config, logger.child({ component: 'events' }));
  const relay = new OutboxRelay({
    db,
    sinks,
    logger: logger.child({ component: 'relay' }),
    pollMs: config.events.relayPollMs,
  });
  return {
    worker,
    relay,
    clusterDriver,
    cluster,
    tenantDatabase,
    dns,
    dnsServer,
    certificateAuthority,
    terraform,
    faults,
    secretKeyRotation: new SecretKeyRotation(db, secretBox),
    steps,
    reconciler,
    housekeeping,
    async stop(finishWithinMs = 0) {
      // Together: the worker's steps may take finishWithinMs, the others need not wait for them.
      await Promise.all([housekeeping.stop(), reconciler.stop(), worker.stop(finishWithinMs), relay.stop()]);
      await dnsServer?.close();
      await closeEventSinks(sinks);
      if (tenantDatabase instanceof PostgresTenantDatabase) await tenantDatabase.close();
    },
  };
}
