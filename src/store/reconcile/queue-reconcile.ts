import { EventType } from '../../domain/events.js';
import { mayStart } from '../../domain/operations.js';
import { JobKind } from '../../domain/provisioning.js';
import type { TenantStatus } from '../../domain/tenant-status.js';
import type { Tier } from '../../domain/tiers.js';
import { appendAudit } from '../engine/audit.js';
import { enqueueOperation } from '../engine/enqueue-operation.js';
import { openJobOf } from '../engine/request-operation.js';
import type { Db } from '../open-database.js';
import { appendEvent } from '../outbox/append-event.js';
import { SWEEP_NAME } from './claim-sweep.js';
import { countOpenReconciles } from './count-open-reconciles.js';

export interface QueueReconcileInput {
  tenantId: string;
  /** The provisioning state's job id the observation was made under (ReconcileCandidate.stateJobId). */
  observedUnderJobId: string;
  /** At most this many RECONCILE jobs open at once (MATIH_RECONCILE_MAX_JOBS). */
  maxOpen: number;
  maxRetries: number;
  actor: string;
  /** What the actual state differs in ("NetworkPolicy/allow-dns missing"), by step; empty when only the declaration moved. */
  drift: readonly { step: string | null; message: string }[];
  /** Why the job runs: the drift, a newer generation, a failed last job. */
  reasons: readonly string[];
}

export type QueueReconcileOutcome =
  | { queued: true; jobId: string }
  /** budget: MATIH_RECONCILE_MAX_JOBS are open; busy: another job is in flight; moved: a job ran since the observation; gone: no longer ACTIVE or SUSPENDED. */
  | { queued: false; why: 'budget' | 'busy' | 'moved' | 'gone' };

/**
 * Queues one RECONCILE job for a tenant the reconciler found differing from its declaration, in
 * one commit with what the history, the WebSocket and the outbox show of it: the audit rows
 * `drift.detected` (what differs) and `reconcile.started` (the job and why), and the events
 * drift.detected and reconcile.started, in that order.
 *
 * The sweep row is locked first: it serialises queueing across replicas, so the count of open
 * RECONCILE jobs cannot be read by two of them at once and overrun the bound. Then the tenant,
 * which queues this commit behind any operation on it; nothing is queued when a job is open or has
 * run since the observation (its drift may be gone: the next sweep looks again).
 */
export async function queueReconcile(db: Db, input: QueueReconcileInput): Promise<QueueReconcileOutcome> {
  return db.transaction().execute(async (trx): Promise<QueueReconcileOutcome> => {
    await trx.selectFrom('reconcilerSweeps').select('name').where('name', '=', SWEEP_NAME).forUpdate().executeTakeFirst();
    const tenant = await trx.selectFrom('tenants').select(['id', 'slug', 'tier', 'status']).where('id', '=', input.tenantId).forUpdate().executeTakeFirst();
    if (!tenant || !mayStart(JobKind.RECONCILE, tenant.status as TenantStatus)) return { queued: false, why: 'gone' };
    if (await openJobOf(trx, tenant.id)) return { queued: false, why: 'busy' };
    const state = await trx.selectFrom('tenantProvisioningState').select('jobId').where('tenantId', '=', tenant.id).executeTakeFirst();
    if (state?.jobId !== input.observedUnderJobId) return { queued: false, why: 'moved' };
    if ((await countOpenReconciles(trx)) >= input.maxOpen) return { queued: false, why: 'budget' };
    const desired = await trx
      .selectFrom('desiredInfrastructureState')
      .select(['generation', 'observedGeneration'])
      .where('tenantId', '=', tenant.id)
      .executeTakeFirstOrThrow();

    const differences = input.drift.map((d) => d.message);
    if (differences.length > 0) {
      await appendAudit(trx, tenant.id, null, [{ kind: 'OPERATION', trigger: 'drift.detected', actor: input.actor, details: { differences, byStep: byStep(input.drift) } }]);
    }
    const { jobId } = await enqueueOperation(trx, {
      tenantId: tenant.id,
      kind: JobKind.RECONCILE,
      tier: tenant.tier as Tier,
      actor: input.actor,
      trigger: 'reconcile.started',
      maxRetries: input.maxRetries,
      details: { reasons: [...input.reasons], generation: desired.generation, observedGeneration: desired.observedGeneration },
    });
    if (differences.length > 0) {
      await appendEvent(trx, tenant.id, EventType.DRIFT_DETECTED, {
        tenantId: tenant.id,
        slug: tenant.slug,
        differences,
        byStep: byStep(input.drift),
        generation: desired.generation,
      });
    }
    await appendEvent(trx, tenant.id, EventType.RECONCILE_STARTED, {
      tenantId: tenant.id,
      slug: tenant.slug,
      jobId,
      reasons: [...input.reasons],
      generation: desired.generation,
      observedGeneration: desired.observedGeneration,
    });
    return { queued: true, jobId };
  });
}

function byStep(drift: QueueReconcileInput['drift']): Record<string, string[]> {
  const grouped: Record<string, string[]> = {};
  for (const d of drift) (grouped[d.step ?? 'declaration'] ??= []).push(d.message);
  return grouped;
}
