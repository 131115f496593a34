import { JobKind } from '../../domain/provisioning.js';
import { requestOperation } from '../engine/request-operation.js';
import type { Db } from '../open-database.js';
import { type DesiredInfrastructure, requireDesired } from './declare-infrastructure.js';
import type { OperationRequest } from './request-update.js';
import { transaction } from '../transaction.js';

export interface RequestDeprovisionInput {
  tenantId: string;
  actor: string;
  maxRetries: number;
}

/**
 * spec/000 DELETE: tear the tenant's infrastructure down and keep its record (DEPROVISIONED; it
 * can be provisioned again). The tenant becomes DEPROVISIONING and a DEPROVISION job is queued,
 * in one commit. Idempotent: a deprovisioned tenant needs nothing, and a tenant being
 * deprovisioned answers with the job doing it (the lifecycle table, domain/operations.ts).
 */
export async function requestDeprovision(db: Db, input: RequestDeprovisionInput): Promise<OperationRequest> {
  return transaction(db, async (trx) => {
    const { jobId, checked: desired } = await requestOperation<DesiredInfrastructure>(
      trx,
      { tenantId: input.tenantId, kind: JobKind.DEPROVISION, actor: input.actor, trigger: 'infrastructure.deprovision', maxRetries: input.maxRetries },
      {
        check: (tenant) => requireDesired(trx, tenant.id),
        prepare: (tenant, current) => Promise.resolve({ details: { fromStatus: tenant.status, generation: current.generation } }),
      },
    );
    // The declaration says what the infrastructure is when there is one; a teardown leaves it as it was.
    return { jobId, desired, changed: false };
  });
}
