import { describe, expect, it } from 'vitest';
import { EventType } from '../../domain/events.js';
import { JobKind, JobStatus } from '../../domain/provisioning.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import { requestUpdate } from '../infrastructure/request-update.js';
import type { Db } from '../open-database.js';
import {
  activeTenant,
  claim,
  databasePerTest,
  eventsOf,
  failClaimed,
  jobRow,
  jobsOf,
  tenantRow,
  tenantSnapshot,
} from '../../../test/support/store-operations.js';
import { createDeletionRequest, startDeletion } from './deletion.js';

/** A code as the API issues it: the store keeps only its hash (here the hash is the code). */
async function issueCode(db: Db, tenantId: string, ttlSeconds = 600): Promise<string> {
  const code = `code-${Math.random().toString(36).slice(2)}`;
  await createDeletionRequest(db, { tenantId, actor: 'ops', codeHash: code, ttlSeconds });
  return code;
}

const start = (db: Db, tenantId: string, code: string) =>
  startDeletion(db, { tenantId, actor: 'ops', maxRetries: 3, codeMatches: (hash) => hash === code, codeField: { field: 'confirmationCode', in: 'body' } });

describe('startDeletion', () => {
  const db = databasePerTest();

  it('with a valid code: the tenant DELETING, a DELETE job, tenant.deletion.started, the code used up, in one commit', async () => {
    const created = await activeTenant(db());
    const code = await issueCode(db(), created.tenant.id);
    const { jobId } = await start(db(), created.tenant.id, code);

    expect((await tenantRow(db(), created.tenant.id)).status).toBe(TenantStatus.DELETING);
    expect(await jobRow(db(), jobId)).toMatchObject({ kind: JobKind.DELETE, status: JobStatus.PENDING, initiatedBy: 'ops' });
    expect((await eventsOf(db(), created.tenant.id)).at(-1)).toMatchObject({ type: EventType.TENANT_DELETION_STARTED, payload: { jobId, requestedBy: 'ops' } });
    const request = await db().selectFrom('tenantDeletionRequests').select('usedAt').where('tenantId', '=', created.tenant.id).executeTakeFirstOrThrow();
    expect(request.usedAt).not.toBeNull();
  });

  it('refuses a wrong or expired code (validation_failed on the code\'s field) and changes nothing', async () => {
    const created = await activeTenant(db());
    const expired = await issueCode(db(), created.tenant.id, 0);
    const before = await tenantSnapshot(db(), created.tenant.id);
    for (const code of ['not-a-code', expired]) {
      await expect(start(db(), created.tenant.id, code)).rejects.toMatchObject({ kind: 'VALIDATION', fieldErrors: [expect.objectContaining({ field: 'confirmationCode', in: 'body' })] });
    }
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);

  });

  it('answers a repeated request with the deletion it started (the code used up, the request idempotent)', async () => {
    const created = await activeTenant(db());
    const code = await issueCode(db(), created.tenant.id);
    const first = await start(db(), created.tenant.id, code);
    await expect(start(db(), created.tenant.id, code)).resolves.toEqual(first);
    // A code that was never issued for this tenant still gets nothing, even now.
    await expect(start(db(), created.tenant.id, 'not-a-code')).rejects.toMatchObject({ kind: 'VALIDATION' });
  });

  it('refuses while another job is in flight (409 job_in_flight) without using the code up', async () => {
    const created = await activeTenant(db());
    await requestUpdate(db(), { tenantId: created.tenant.id, configuration: { storageGb: 150 }, actor: 'a', maxRetries: 3, trigger: 't' });
    const code = await issueCode(db(), created.tenant.id);
    const before = await tenantSnapshot(db(), created.tenant.id);
    await expect(start(db(), created.tenant.id, code)).rejects.toMatchObject({ kind: 'CONFLICT', code: 'job_in_flight' });
    expect(await tenantSnapshot(db(), created.tenant.id)).toEqual(before);
    const request = await db().selectFrom('tenantDeletionRequests').select('usedAt').where('tenantId', '=', created.tenant.id).executeTakeFirstOrThrow();
    expect(request.usedAt).toBeNull();
  });

  it('for a tenant already DELETING (another unused code): the running deletion job, or how to resume a stopped one (409 deletion_stopped)', async () => {
    const created = await activeTenant(db());
    const first = await issueCode(db(), created.tenant.id);
    const second = await issueCode(db(), created.tenant.id);
    const { jobId } = await start(db(), created.tenant.id, first);

    expect(await start(db(), created.tenant.id, second)).toEqual({ jobId });
    expect((await jobsOf(db(), created.tenant.id)).filter((j) => j.kind === JobKind.DELETE)).toHaveLength(1);

    await failClaimed(db(), await claim(db(), 'worker-a'), 'worker-a', 'DELETE_NAMESPACE: stuck');
    const error = await start(db(), created.tenant.id, second).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'CONFLICT', code: 'deletion_stopped' });
    expect((error as Error).message).toContain(jobId);
  });
});

describe('createDeletionRequest', () => {
  const db = databasePerTest();

  it('refuses a tenant already being deleted (409 already_deleting) and answers not_found for none', async () => {
    const created = await activeTenant(db());
    await start(db(), created.tenant.id, await issueCode(db(), created.tenant.id));
    await expect(issueCode(db(), created.tenant.id)).rejects.toMatchObject({ kind: 'CONFLICT', code: 'already_deleting' });
    await expect(issueCode(db(), '00000000-0000-7000-8000-000000000000')).rejects.toMatchObject({ kind: 'NOT_FOUND' });
  });
});
