import { sql } from 'kysely';
import { ERROR_CODES } from '../../domain/error-codes.js';
import { ConflictError, ValidationError } from '../../domain/errors.js';
import { admit } from '../../domain/operations.js';
import { EventType } from '../../domain/events.js';
import { newId } from '../../domain/ids.js';
import { JobKind } from '../../domain/provisioning.js';
import type { TenantStatus } from '../../domain/tenant-status.js';
import { appendAudit } from '../engine/audit.js';
import { lockLiveTenant, requestOperation } from '../engine/request-operation.js';
import type { Db } from '../open-database.js';
import { appendEvent } from '../outbox/append-event.js';
import { transaction } from '../transaction.js';

/** Records a deletion request: the code's hash, who asked, and until when it is good. */
export async function createDeletionRequest(
  db: Db,
  req: { tenantId: string; actor: string; codeHash: string; ttlSeconds: number },
): Promise<{ id: string; expiresAt: Date; slug: string }> {
  return transaction(db, async (trx) => {
    const tenant = await lockLiveTenant(trx, req.tenantId);
    if (admit(JobKind.DELETE, tenant.status as TenantStatus) === 'under-way') throw new ConflictError('status', ERROR_CODES.ALREADY_DELETING);
    const id = newId();
    const row = await trx
      .insertInto('tenantDeletionRequests')
      .values({ id, tenantId: tenant.id, codeHash: req.codeHash, requestedBy: req.actor, expiresAt: sql<Date>`now() + ${req.ttlSeconds} * interval '1 second'`, usedAt: null })
      .returning('expiresAt')
      .executeTakeFirstOrThrow();
    await appendAudit(trx, tenant.id, null, [
      { kind: 'OPERATION', trigger: 'deletion.requested', actor: req.actor, details: { requestId: id, expiresAt: row.expiresAt.toISOString() } },
    ]);
    return { id, expiresAt: row.expiresAt, slug: tenant.slug };
  });
}

export interface StartDeletion {
  tenantId: string;
  actor: string;
  maxRetries: number;
  /** Whether a presented code matches a stored hash (constant time; iam's business). */
  codeMatches: (hash: string) => boolean;
  /** Where the code came from, to name it in errors: `confirmationCode` in the body or the header. */
  codeField: { field: string; in: string };
}

/**
 * spec/002 "Deletion" 1: with a valid, unexpired, unused code, the tenant becomes DELETING (its
 * credentials refused from now on) and a DELETE job is queued: archive, teardown, record. All in
 * one commit; a wrong or expired code changes nothing. A tenant already DELETING answers with
 * its deletion job (the request is idempotent), or says how to resume one that stopped.
 */
export async function startDeletion(db: Db, req: StartDeletion): Promise<{ jobId: string }> {
  return transaction(db, async (trx) => {
    const problem = (message: string) => new ValidationError([{ field: req.codeField.field, in: req.codeField.in, message }]);
    const { jobId } = await requestOperation<{ id: string; usedAt: Date | null; expired: boolean }>(
      trx,
      { tenantId: req.tenantId, kind: JobKind.DELETE, actor: req.actor, trigger: 'tenant.delete_requested', maxRetries: req.maxRetries },
      {
        // Before the lifecycle table: repeating the request that started the deletion (its code
        // now used, perhaps expired) answers with that deletion, as a retried DELETE should.
        async check(tenant) {
          const requests = await trx
            .selectFrom('tenantDeletionRequests')
            .select(['id', 'codeHash', 'usedAt', sql<boolean>`expires_at <= now()`.as('expired')])
            .where('tenantId', '=', tenant.id)
            .execute();
          const match = requests.find((r) => req.codeMatches(r.codeHash));
          if (!match) throw problem('is not a confirmation code issued for this tenant (POST /api/v1/tenants/{id}/deletion-requests issues one)');
          return match;
        },
        async prepare(tenant, match) {
          if (match.usedAt !== null) throw problem('has already been used; request a new one');
          if (match.expired) throw problem('has expired; request a new one');
          await trx.updateTable('tenantDeletionRequests').set({ usedAt: sql<Date>`now()` }).where('id', '=', match.id).execute();
          return { details: { requestId: match.id, fromStatus: tenant.status } };
        },
        async started(tenant, id) {
          await appendEvent(trx, tenant.id, EventType.TENANT_DELETION_STARTED, { tenantId: tenant.id, slug: tenant.slug, jobId: id, requestedBy: req.actor });
        },
      },
    );
    if (jobId === null) throw new Error('unreachable: a deletion is never a no-op');
    return { jobId };
  });
}
