import type { Transaction } from 'kysely';
import { NotFoundError } from '../../domain/errors.js';
import type { Schema } from '../schema.js';

/** The tenant's newest job, row-locked for the rest of the transaction (API-side job changes). */
export async function lockLatestJob(trx: Transaction<Schema>, tenantId: string) {
  const job = await trx
    .selectFrom('tenantProvisioningJobs')
    .select(['id', 'kind', 'status', 'tier', 'currentState', 'cancelRequestedBy'])
    .where('tenantId', '=', tenantId)
    .orderBy('id', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
  if (!job) throw new NotFoundError('provisioning job of tenant', tenantId);
  return job;
}
