import { Type } from '@sinclair/typebox';
import { DateTime, NullableDateTime } from './common.js';

export const SweepSummarySchema = Type.Object(
  {
    scope: Type.Union([Type.Literal('full'), Type.Literal('targeted')], { description: 'full: every live tenant; targeted: the tenants a declaration change named' }),
    owner: Type.Optional(Type.String({ description: 'The replica that swept' })),
    startedAt: DateTime,
    finishedAt: DateTime,
    durationMs: Type.Integer(),
    tenantsChecked: Type.Integer({ description: 'ACTIVE or SUSPENDED tenants with no job in flight, observed' }),
    clean: Type.Integer({ description: 'Matched their declaration' }),
    drifted: Type.Integer({ description: 'Differed: drift, a newer generation, or a failed last job' }),
    jobsQueued: Type.Integer({ description: 'RECONCILE jobs queued' }),
    deferred: Type.Integer({ description: 'Differed, but MATIH_RECONCILE_MAX_JOBS repairs were open: the next sweep takes them' }),
    errors: Type.Integer({ description: 'Could not be observed; the next sweep tries again' }),
    skipped: Type.Optional(Type.String()),
  },
  { $id: 'ReconcileSweep' },
);

export const ReconcilerStatusSchema = Type.Object(
  {
    intervalSeconds: Type.Number({ description: 'MATIH_RECONCILE_INTERVAL_S; 0: no periodic sweep (declaration changes still reconcile)' }),
    maxJobs: Type.Integer({ description: 'MATIH_RECONCILE_MAX_JOBS: RECONCILE jobs open at once, across replicas' }),
    running: Type.Boolean({ description: "This replica's reconcile loop runs" }),
    sweeping: Type.Boolean({ description: 'This replica is in a pass now' }),
    owner: Type.String({ description: 'This replica' }),
    leaseOwner: Type.Union([Type.String(), Type.Null()], { description: 'The replica sweeping now' }),
    nextSweepAt: NullableDateTime,
    lastSweep: Type.Union([Type.Ref('ReconcileSweep'), Type.Null()], { description: 'The last full sweep any replica finished' }),
    lastPass: Type.Union([Type.Ref('ReconcileSweep'), Type.Null()], { description: "This replica's last pass, full or targeted" }),
    openReconcileJobs: Type.Integer(),
  },
  { $id: 'ReconcilerStatus' },
);

export const SweepRequestSchema = Type.Object(
  {
    requestedAt: Type.String({
      format: 'date-time',
      description: 'When the sweep was asked for: it is the first full pass in GET /api/v1/infrastructure/reconciler whose startedAt is at or after this (lastPass, then lastSweep)',
    }),
  },
  { $id: 'ReconcileSweepRequest' },
);
