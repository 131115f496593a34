import type { Logger } from 'pino';
import type { Config } from './config/load-config.js';
import type { ClusterDriver, TenantDatabaseDriver } from './drivers/contract.js';
import { buildEventSinks, closeEventSinks } from './drivers/build-event-delivery.js';
import { EmbeddedTenantDatabase } from './drivers/database/embedded-tenant-database.js';
import { PostgresTenantDatabase } from './drivers/database/postgres-tenant-database.js';
import { KubernetesClusterDriver } from './drivers/kubernetes/kubernetes-driver.js';
import { AesGcmSecretBox } from './drivers/secrets/aes-gcm-secret-box.js';
import { SimulatedCloud } from './drivers/simulated/simulated-cloud.js';
import { SimulatedCluster } from './drivers/simulated/simulated-cluster.js';
import { OutboxRelay } from './engine/outbox-relay.js';
import { Worker } from './engine/worker.js';
import type { Db } from './store/open-database.js';
import { simObjectStore } from './store/sim/sim-objects.js';
import { deleteSimResource, getSimResource, listSimResources, upsertSimResource } from './store/sim/sim-resources.js';
import { sqlSession } from './store/sql-session.js';
import { FaultInjector } from './steps/fault-injection.js';
import { buildStepRegistry } from './steps/registry.js';

/** What the engine needs of the configuration; `secretKey` resolved (from config or the data directory). */
export type EngineConfig = Pick<
  Config,
  'sim' | 'engine' | 'retry' | 'baseDomain' | 'events' | 'cluster' | 'tenantDatabases' | 'readyTimeoutMs' | 'verifyTimeoutMs'
> & { secretKey: string };

export interface Engine {
  worker: Worker;
  /** Delivers outbox events to the configured sinks (log, webhook, notifications). */
  relay: OutboxRelay;
  /** The simulated cloud: the systems whose real drivers come with issue 5 (a test double). */
  cloud: SimulatedCloud;
  /** Where tenant objects go: the real cluster, or the simulated one (a test double). */
  clusterDriver: ClusterDriver;
  /** The simulated cluster when MATIH_CLUSTER=simulated (the default), for inspection and drift tests. */
  cluster: SimulatedCluster | undefined;
  tenantDatabase: TenantDatabaseDriver;
  /** MATIH_SIM_FAULTS: tests change the faults while the engine runs. */
  faults: FaultInjector;
  /** Stops the worker and the relay, then closes the drivers' connections. */
  stop(): Promise<void>;
}

/**
 * The provisioning engine and its drivers, as the service and the tests run it: the cluster of
 * MATIH_CLUSTER, the tenant databases of TENANT_DATABASE_URL (or, unset, the control-plane
 * database itself: embedded PGlite or the same server), secrets sealed with the secret key.
 */
export function buildEngine(db: Db, config: EngineConfig, logger: Logger, owner?: string): Engine {
  const cloud = new SimulatedCloud(
    {
      get: (tenantId, kind, name) => getSimResource(db, tenantId, kind, name),
      upsert: (r) => upsertSimResource(db, r),
      remove: (tenantId, kind, name) => deleteSimResource(db, tenantId, kind, name),
      list: (tenantId, step) => listSimResources(db, tenantId, step),
    },
    { delayMs: config.sim.delayMs },
  );
  const cluster = config.cluster.kind === 'simulated' ? new SimulatedCluster(simObjectStore(db), { delayMs: config.sim.delayMs }) : undefined;
  const clusterDriver: ClusterDriver =
    cluster ??
    new KubernetesClusterDriver({
      kubeConfig: config.cluster.kind === 'kubernetes' && config.cluster.kubeconfig ? { kind: 'file', path: config.cluster.kubeconfig } : { kind: 'in-cluster' },
    });
  const tenantDatabase = config.tenantDatabases.url
    ? new PostgresTenantDatabase({ adminUrl: config.tenantDatabases.url, poolSize: 4 })
    : new EmbeddedTenantDatabase(sqlSession(db));
  const faults = new FaultInjector(config.sim.faults);
  const steps = faults.wrapAll(
    buildStepRegistry(
      { cloud, cluster: clusterDriver, tenantDatabase, secretBox: new AesGcmSecretBox(config.secretKey) },
      {
        baseDomain: config.baseDomain,
        readyTimeoutMs: config.readyTimeoutMs,
        verifyTimeoutMs: config.verifyTimeoutMs,
        verifyIntervalMs: Math.min(1000, config.verifyTimeoutMs),
        tenantDbPrefix: config.tenantDatabases.namePrefix,
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
    },
    logger.child({ component: 'worker' }),
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
    cloud,
    clusterDriver,
    cluster,
    tenantDatabase,
    faults,
    async stop() {
      await worker.stop();
      await relay.stop();
      await closeEventSinks(sinks);
      if (tenantDatabase instanceof PostgresTenantDatabase) await tenantDatabase.close();
    },
  };
}
