import { ERROR_CODES } from '../../domain/error-codes.js';
import { ConflictError } from '../../domain/errors.js';
import { JobKind } from '../../domain/provisioning.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import type { Tier } from '../../domain/tiers.js';
import { enqueueOperation, requireNoOpenJob, teardownInFlight } from '../engine/enqueue-operation.js';
import type { Db } from '../open-database.js';
import { lockLiveTenant, requireDesired } from './request-update.js';
import type { OperationRequest } from './request-update.js';

export interface RequestDeprovisionInput {
  tenantId: string;
  actor: string;
  maxRetries: number;
}

/** Tenants whose infrastructure may be torn down: live, suspended, or left by a failed provisioning. */
const DEPROVISIONABLE: ReadonlySet<string> = new Set([TenantStatus.ACTIVE, TenantStatus.SUSPENDED, TenantStatus.FAILED]);

/**
 * spec/000 DELETE: tear the tenant's infrastructure down and keep its record (DEPROVISIONED; it
 * can be provisioned again). The tenant becomes DEPROVISIONING and a DEPROVISION job is queued,
 * in one commit. Idempotent: a deprovisioned tenant needs nothing, and a tenant being
 * deprovisioned answers with the job doing it.
 */
export async function requestDeprovision(db: Db, input: RequestDeprovisionInput): Promise<OperationRequest> {
  return db.transaction().execute(async (trx) => {
    const tenant = await lockLiveTenant(trx, input.tenantId);
    const desired = await requireDesired(trx, tenant.id);
    if (tenant.status === TenantStatus.DEPROVISIONED) return { jobId: null, desired, changed: false };
    if (tenant.status === TenantStatus.DEPROVISIONING) {
      return { jobId: await teardownInFlight(trx, tenant.id, JobKind.DEPROVISION, ERROR_CODES.DEPROVISION_STOPPED), desired, changed: false };
    }
    await requireNoOpenJob(trx, tenant.id);
    if (!DEPROVISIONABLE.has(tenant.status)) {
      throw new ConflictError('status', ERROR_CODES.TENANT_NOT_ACTIVE, tenant.status, 'deprovision');
    }
    await trx.updateTable('tenants').set({ status: TenantStatus.DEPROVISIONING, updatedAt: new Date() }).where('id', '=', tenant.id).execute();
    const { jobId } = await enqueueOperation(trx, {
      tenantId: tenant.id,
      kind: JobKind.DEPROVISION,
      tier: tenant.tier as Tier,
      actor: input.actor,
      trigger: 'infrastructure.deprovision',
      maxRetries: input.maxRetries,
      details: { fromStatus: tenant.status, generation: desired.generation },
    });
    // The declaration says what the infrastructure is when there is one; a teardown leaves it as it was.
    return { jobId, desired, changed: false };
  });
}
