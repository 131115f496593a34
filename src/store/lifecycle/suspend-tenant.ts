import { sql } from 'kysely';
import { ERROR_CODES } from '../../domain/error-codes.js';
import { ConflictError } from '../../domain/errors.js';
import { JobKind } from '../../domain/provisioning.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import type { Tier } from '../../domain/tiers.js';
import { enqueueOperation, lockTenant, requireNoOpenJob } from '../engine/enqueue-operation.js';
import { declareInfrastructure } from '../infrastructure/declare-infrastructure.js';
import type { Db } from '../open-database.js';

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
  return db.transaction().execute(async (trx) => {
    const tenant = await lockTenant(trx, req.tenantId);
    if (tenant.status === TenantStatus.SUSPENDED) return { tenantId: tenant.id, status: TenantStatus.SUSPENDED, jobId: null };
    if (tenant.status !== TenantStatus.ACTIVE) {
      throw new ConflictError('status', ERROR_CODES.TENANT_NOT_ACTIVE, tenant.status, 'suspend');
    }
    await requireNoOpenJob(trx, tenant.id);
    await trx
      .updateTable('tenants')
      .set({ status: TenantStatus.SUSPENDED, tokensValidAfter: sql<Date>`now()`, updatedAt: new Date() })
      .where('id', '=', tenant.id)
      .execute();
    const { desired } = await declareInfrastructure(trx, tenant.id, { suspended: true }, req.actor);
    const { jobId } = await enqueueOperation(trx, {
      tenantId: tenant.id,
      kind: JobKind.SUSPEND,
      tier: tenant.tier as Tier,
      actor: req.actor,
      trigger: 'tenant.suspend_requested',
      maxRetries: req.maxRetries,
      details: { generation: desired.generation, ...(req.reason ? { reason: req.reason } : {}) },
    });
    return { tenantId: tenant.id, status: TenantStatus.SUSPENDED, jobId };
  });
}

/**
 * spec/002 "Reactivation": the declaration no longer says suspended, and a REACTIVATE job scales
 * the workloads back to their configured replicas, waits until every service passes its health
 * check, and only then makes the tenant ACTIVE and publishes TENANT_ACTIVATED. Until then the
 * tenant stays SUSPENDED (its keys still refused). Reactivating an active tenant is a no-op.
 */
export async function reactivateTenant(db: Db, req: LifecycleRequest): Promise<LifecycleResult> {
  return db.transaction().execute(async (trx) => {
    const tenant = await lockTenant(trx, req.tenantId);
    if (tenant.status === TenantStatus.ACTIVE) return { tenantId: tenant.id, status: TenantStatus.ACTIVE, jobId: null };
    if (tenant.status !== TenantStatus.SUSPENDED) {
      throw new ConflictError('status', ERROR_CODES.TENANT_NOT_SUSPENDED, tenant.status);
    }
    await requireNoOpenJob(trx, tenant.id);
    const { desired } = await declareInfrastructure(trx, tenant.id, { suspended: false }, req.actor);
    const { jobId } = await enqueueOperation(trx, {
      tenantId: tenant.id,
      kind: JobKind.REACTIVATE,
      tier: tenant.tier as Tier,
      actor: req.actor,
      trigger: 'tenant.reactivate_requested',
      maxRetries: req.maxRetries,
      details: { generation: desired.generation, ...(req.reason ? { reason: req.reason } : {}) },
    });
    return { tenantId: tenant.id, status: TenantStatus.SUSPENDED, jobId };
  });
}
