import type { Transaction } from 'kysely';
import type { Schema } from '../schema.js';
import { progressNotice } from './progress-notices.js';

export interface AuditEntry {
  kind: 'JOB' | 'STAGE' | 'STEP' | 'ROLLBACK' | 'OPERATION';
  trigger: string;
  fromState?: string | null;
  toState?: string | null;
  step?: string | null;
  details?: Record<string, unknown>;
  actor: string;
}

/**
 * Appends audit rows numbered 1, 2, 3... per tenant. The counter lives on the tenant's
 * provisioning state row, whose update also serialises concurrent writers for one tenant, so a
 * reader that saw sequence N can ask for "after N" and never miss a row. The same update
 * NOTIFYs the tenant and its new sequence (progress-notices.ts), delivered at commit: WebSocket
 * streams on any replica learn of the rows without polling.
 */
export async function appendAudit(trx: Transaction<Schema>, tenantId: string, jobId: string | null, entries: AuditEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  const counter = await trx
    .updateTable('tenantProvisioningState')
    .set((eb) => ({ eventSeq: eb('eventSeq', '+', entries.length) }))
    .where('tenantId', '=', tenantId)
    .returning(['eventSeq', progressNotice().as('notified')])
    .executeTakeFirstOrThrow();
  const first = counter.eventSeq - entries.length + 1;
  await trx
    .insertInto('provisioningAuditLogs')
    .values(
      entries.map((e, i) => ({
        tenantId,
        seq: first + i,
        jobId,
        kind: e.kind,
        fromState: e.fromState ?? null,
        toState: e.toState ?? null,
        step: e.step ?? null,
        trigger: e.trigger,
        details: JSON.stringify(e.details ?? {}),
        actor: e.actor,
      })),
    )
    .execute();
  return counter.eventSeq;
}
