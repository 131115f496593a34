import { sql } from 'kysely';
import { JobKind } from '../../domain/provisioning.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import type { Db } from '../open-database.js';
import { requestOperation } from '../engine/request-operation.js';
import { declareInfrastructure } from '../infrastructure/declare-infrastructure.js';
import { transaction } from '../transaction.js';

export interface LifecycleRequest {
  tenantId: string;
  actor: string;
  maxRetries: number;
  reason?: string | undefined;
}

export interface LifecycleResult {
  tenantId: string;
  status: TenantStatus;
  /** Null when there was nothing to do (already suspended, already active). */
  jobId: string | null;
}

/**
 * spec/002 "Suspension" 1 and 3, in one commit: the tenant is SUSPENDED, which refuses its API
 * keys and tokens from this moment (the authenticator checks the status), and every token issued
 * until now is revoked for good (`tokens_valid_after`). The declaration says suspended, and a
 * SUSPEND job scales every workload to zero (step 2), then publishes TENANT_SUSPENDED, which
 * notifies the tenant admin (steps 4 and 5). Data is kept. Suspending a suspended tenant is a no-op.
 */
export async function suspendTenant(db: Db, req: LifecycleRequest): Promise<LifecycleResult> {
  return switchSuspended(db, req, JobKind.SUSPEND, 'tenant.suspend_requested');
}

/**
 * spec/002 "Reactivation": the declaration no longer says suspended, and a REACTIVATE job scales
 * the workloads back to their configured replicas, waits until every service passes its health
 * check, and only then makes the tenant ACTIVE and publishes TENANT_ACTIVATED. Until then the
 * tenant stays SUSPENDED (its keys still refused). Reactivating an active tenant is a no-op.
 */
export async function reactivateTenant(db: Db, req: LifecycleRequest): Promise<LifecycleResult> {
  return switchSuspended(db, req, JobKind.REACTIVATE, 'tenant.reactivate_requested');
}

async function switchSuspended(db: Db, req: LifecycleRequest, kind: typeof JobKind.SUSPEND | typeof JobKind.REACTIVATE, trigger: string): Promise<LifecycleResult> {
  const suspended = kind === JobKind.SUSPEND;
  return transaction(db, async (trx) => {
    const { tenant, jobId } = await requestOperation(
      trx,
      { tenantId: req.tenantId, kind, actor: req.actor, trigger, maxRetries: req.maxRetries },
      {
        async prepare(locked) {
          const { desired } = await declareInfrastructure(trx, locked.id, { suspended }, req.actor);
          return {
            details: { generation: desired.generation, ...(req.reason ? { reason: req.reason } : {}) },
            // Every token issued until now is refused for good, whatever its expiry.
            ...(suspended ? { tenantChanges: { tokensValidAfter: sql<Date>`now()` } } : {}),
          };
        },
      },
    );
    // A reactivation keeps the tenant SUSPENDED until its job has seen every service healthy.
    const status = suspended || jobId !== null ? TenantStatus.SUSPENDED : (tenant.status as TenantStatus);
    return { tenantId: tenant.id, status, jobId };
  });
}
