import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requirePlatformAdmin } from '../../iam/principal.js';
import { countJobsByStatus } from '../../store/engine/count-jobs-by-status.js';
import { listLeases } from '../../store/engine/list-leases.js';
import { outboxBacklog } from '../../store/outbox/outbox-backlog.js';
import { listRecentDrift } from '../../store/reconcile/list-recent-drift.js';
import { oneSnapshot } from '../../store/transaction.js';
import type { ApiDeps } from '../deps.js';
import { DateTime, withErrors } from '../schemas/common.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);

const SystemStatusSchema = Type.Object({
  time: DateTime,
  jobs: Type.Object({
    byStatus: Type.Record(Type.String(), Type.Integer(), { description: 'Jobs of every kind by status' }),
    waitingForRetry: Type.Integer({ description: 'PENDING jobs whose next retry is still ahead' }),
  }),
  outbox: Type.Object({
    undelivered: Type.Integer({ description: 'Events some sink does not have yet' }),
    failing: Type.Integer({ description: 'Of those, events whose last delivery failed' }),
    oldestAgeSeconds: Type.Union([Type.Number(), Type.Null()]),
  }),
  workers: Type.Array(
    Type.Object({ owner: Type.String(), jobs: Type.Integer(), latestLeaseUntil: DateTime }),
    { description: 'Workers holding leases now (a worker with nothing claimed does not show)' },
  ),
  leases: Type.Array(
    Type.Object({
      jobId: Type.String(),
      tenantId: Type.String(),
      slug: NullableString,
      kind: Type.String(),
      status: Type.String(),
      currentStep: NullableString,
      leaseOwner: Type.String(),
      leaseUntil: DateTime,
      expired: Type.Boolean({ description: 'Past its lease: the worker died or stalled; another worker takes the job' }),
    }),
  ),
  recentDrift: Type.Array(
    Type.Object({
      tenantId: Type.String(),
      slug: NullableString,
      seq: Type.Integer(),
      actor: Type.String(),
      differences: Type.Array(Type.String()),
      createdAt: DateTime,
    }),
    { description: 'The newest drift.detected entries across tenants' },
  ),
});

/**
 * What the dashboard's health page shows besides the reconciler (which lives on the
 * infrastructure API): job counts, the outbox backlog, the leases workers hold, recent drift.
 * Read from the database, so any replica gives the whole system's picture.
 */
export const systemStatusRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { db } = deps.database;
  app.get(
    '/api/v1/system/status',
    {
      schema: {
        tags: ['health'],
        summary: 'Jobs by status, outbox backlog, workers and their leases, recent drift (platform admin)',
        security: [{ bearer: [] }],
        response: withErrors({ 200: SystemStatusSchema }),
      },
    },
    async (request, reply) => {
      requirePlatformAdmin(request.principal);
      // One snapshot: counts, leases and backlog of the same moment (a page showing a job's lease
      // beside no running job confused its readers, and a test).
      const { jobs, outbox, leases, recentDrift } = await oneSnapshot(db, async (trx) => ({
        jobs: await countJobsByStatus(trx),
        outbox: await outboxBacklog(trx),
        leases: await listLeases(trx),
        recentDrift: await listRecentDrift(trx),
      }));
      const workers = new Map<string, { owner: string; jobs: number; latestLeaseUntil: Date }>();
      for (const lease of leases) {
        const w = workers.get(lease.leaseOwner) ?? { owner: lease.leaseOwner, jobs: 0, latestLeaseUntil: lease.leaseUntil };
        w.jobs += 1;
        if (lease.leaseUntil > w.latestLeaseUntil) w.latestLeaseUntil = lease.leaseUntil;
        workers.set(lease.leaseOwner, w);
      }
      return reply.header('cache-control', 'no-store').send({
        time: new Date().toISOString(),
        jobs: { byStatus: Object.fromEntries(jobs.byStatus), waitingForRetry: jobs.waitingForRetry },
        outbox,
        workers: [...workers.values()].map((w) => ({ ...w, latestLeaseUntil: w.latestLeaseUntil.toISOString() })),
        leases: leases.map((l) => ({ ...l, leaseUntil: l.leaseUntil.toISOString() })),
        recentDrift: recentDrift.map((d) => ({ ...d, createdAt: d.createdAt.toISOString() })),
      });
    },
  );
};
