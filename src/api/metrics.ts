import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JobStatus } from '../domain/provisioning.js';
import { TENANT_STATUSES } from '../domain/tenant-status.js';

const JOB_STATUSES = Object.values(JobStatus);
import { countJobsByStatus } from '../store/engine/count-jobs-by-status.js';
import { countStuckJobs } from '../store/engine/count-stuck-jobs.js';
import { readSweepState } from '../store/reconcile/read-sweep-state.js';
import { EngineMetrics } from './engine-metrics.js';
import { outboxBacklog } from '../store/outbox/outbox-backlog.js';
import { countTenantsByStatus } from '../store/tenants/count-tenants-by-status.js';
import type { Db } from '../store/open-database.js';

/** One registry per process (not prom-client's global), so tests can build many servers. */
export class ApiMetrics {
  readonly registry = new Registry();
  /** What this process's engine does (engine-metrics.ts): the composition root hands it to buildEngine. */
  readonly engine: EngineMetrics;
  private readinessWatched = false;
  private readonly requests: Counter<'server' | 'method' | 'route' | 'status_code'>;
  private readonly duration: Histogram<'server' | 'method' | 'route' | 'status_code'>;

  constructor(db: Db, options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'matih_' });
    this.requests = new Counter({
      name: 'matih_http_requests_total',
      help: 'HTTP requests answered, by route template and status code',
      labelNames: ['server', 'method', 'route', 'status_code'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'matih_http_request_duration_seconds',
      help: 'HTTP request latency, by route template and status code',
      labelNames: ['server', 'method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    new Gauge({
      name: 'matih_tenants',
      help: 'Tenants by status',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const counts = await countTenantsByStatus(db);
        for (const status of TENANT_STATUSES) this.set({ status }, counts.get(status) ?? 0);
      },
    });
    // Read from the database, so every replica reports the same, whole-system figures.
    new Gauge({
      name: 'matih_provisioning_jobs',
      help: 'Provisioning jobs by status (RETRY_WAIT: pending until their next retry time)',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const { byStatus, waitingForRetry } = await countJobsByStatus(db);
        for (const status of JOB_STATUSES) this.set({ status }, byStatus.get(status) ?? 0);
        this.set({ status: 'RETRY_WAIT' }, waitingForRetry);
      },
    });
    new Gauge({
      name: 'matih_outbox_undelivered_events',
      help: 'Events not yet delivered to every sink, and those whose last delivery failed',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const b = await outboxBacklog(db);
        this.set({ state: 'pending' }, b.undelivered);
        this.set({ state: 'failing' }, b.failing);
        oldest.set(b.oldestAgeSeconds ?? 0);
      },
    });
    const oldest = new Gauge({
      name: 'matih_outbox_oldest_undelivered_age_seconds',
      help: 'Age of the oldest undelivered event (0 when none): a growing value means events are stuck',
      registers: [this.registry],
    });
    new Gauge({
      name: 'matih_provisioning_jobs_stuck',
      help: 'Running jobs whose current step has run longer than its matih_step_timeout_seconds',
      registers: [this.registry],
      async collect() {
        this.set(await countStuckJobs(db));
      },
    });
    new Gauge({
      name: 'matih_reconcile_last_sweep_timestamp_seconds',
      help: 'When the last full reconcile sweep of any replica finished, in unix seconds (0 before the first)',
      registers: [this.registry],
      async collect() {
        const finishedAt = (await readSweepState(db)).lastSweep?.finishedAt;
        const at = typeof finishedAt === 'string' ? Date.parse(finishedAt) : NaN;
        this.set(Number.isNaN(at) ? 0 : at / 1000);
      },
    });
    // After the API's own: the request histogram stays the registry's first (the matih/* charts' contract, test/steps/grafana-dashboards.test.ts).
    this.engine = new EngineMetrics(this.registry);
  }

  /**
   * `matih_ready`: 1 while this replica's /ready would answer 200 (readiness.ts asks what it
   * asks), else 0, so that an alert can count the ready replicas. The first server to ask sets it.
   */
  watchReadiness(isReady: () => Promise<boolean>): void {
    if (this.readinessWatched) return;
    this.readinessWatched = true;
    new Gauge({
      name: 'matih_ready',
      help: "1 when this replica's /ready answers 200 (database up, migrations applied, not shutting down), else 0",
      registers: [this.registry],
      async collect() {
        this.set((await isReady().catch(() => false)) ? 1 : 0);
      },
    });
  }

  /** Observes every response of `app`; `server` tells the tenant API from the infrastructure API. */
  instrument(app: FastifyInstance, server: string): void {
    app.addHook('onResponse', async (request, reply) => {
      // The route template, not the URL: ids in label values would explode the series count.
      const labels = {
        server,
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      };
      this.requests.inc(labels);
      this.duration.observe(labels, reply.elapsedTime / 1000);
    });
  }
}
