import type { Transaction } from 'kysely';
import { newId } from '../../domain/ids.js';
import type { InfrastructureStatus } from '../../domain/infrastructure.js';
import type { Schema } from '../schema.js';

export interface InfrastructureMove {
  tenantId: string;
  /** The status to move to; the current one is read under a row lock. */
  to: InfrastructureStatus | ((current: InfrastructureStatus) => InfrastructureStatus);
  trigger: string;
  jobId?: string | null;
  details?: Record<string, unknown>;
  /** The actual configuration to record with the move (when a job has reached its declaration). */
  configuration?: Record<string, unknown>;
}

/**
 * Moves the tenant's TenantInfrastructure record and writes the InfrastructureStateTransition
 * (spec/000), inside the caller's transaction so the move commits with the job change that
 * caused it. No move, no row: a transition always changes the state.
 */
export async function moveInfrastructure(trx: Transaction<Schema>, move: InfrastructureMove): Promise<InfrastructureStatus | undefined> {
  const row = await trx.selectFrom('tenantInfrastructure').select('status').where('tenantId', '=', move.tenantId).forUpdate().executeTakeFirst();
  if (!row) return undefined;
  const from = row.status as InfrastructureStatus;
  const to = typeof move.to === 'function' ? move.to(from) : move.to;
  if (move.configuration) {
    await trx.updateTable('tenantInfrastructure').set({ configuration: JSON.stringify(move.configuration), updatedAt: new Date() }).where('tenantId', '=', move.tenantId).execute();
  }
  if (to === from) return to;
  await trx.updateTable('tenantInfrastructure').set({ status: to, updatedAt: new Date() }).where('tenantId', '=', move.tenantId).execute();
  await trx
    .insertInto('infrastructureStateTransitions')
    .values({
      id: newId(),
      tenantId: move.tenantId,
      fromState: from,
      toState: to,
      trigger: move.trigger,
      details: JSON.stringify(move.details ?? {}),
      jobId: move.jobId ?? null,
    })
    .execute();
  return to;
}
