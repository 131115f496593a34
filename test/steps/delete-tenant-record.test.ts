import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobKind } from '../../src/domain/provisioning.js';
import { FileArchiveStore } from '../../src/drivers/archive/file-archive-store.js';
import { DriverError } from '../../src/drivers/contract.js';
import { archiveAuditLogs } from '../../src/steps/handlers/archive-audit-logs.js';
import { deleteTenantRecord } from '../../src/steps/handlers/delete-tenant-record.js';
import type { StepContext, TenantFacts } from '../../src/steps/step.js';

/**
 * The tombstone keeps no personal data, so before the record goes DELETE_TENANT_RECORD reads the
 * audit archive back (spec/002 "Deletion" 2 and 7): a deletion whose archive is missing or has
 * changed since ARCHIVE_AUDIT_LOGS wrote it stops there, permanently, with the record whole.
 */
describe('DELETE_TENANT_RECORD and the audit archive', () => {
  let dir: string;
  let store: FileArchiveStore;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'matih-delete-record-'));
    store = new FileArchiveStore(dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const tenant: TenantFacts = { id: randomUUID(), slug: 'acme', tier: 'FREE', region: 'eastus', cloudProvider: 'AZURE', adminEmail: 'admin@acme.example.com', namespace: 'matih-acme' };
  const context = (jobId: string, outputs: StepContext['outputs']): StepContext => ({
    tenant,
    jobId,
    operation: { kind: JobKind.DELETE, generation: 1 },
    outputs,
    signal: new AbortController().signal,
    provenance: { provisionedAt: '2026-01-01T00:00:00.000Z', provisionedBy: 'test' },
  });
  /** Runs the archive step as the deletion does and returns its outputs and the file it wrote. */
  async function archived(jobId: string) {
    const step = archiveAuditLogs(store, () => Promise.resolve([{ type: 'tenant', adminEmail: tenant.adminEmail }]));
    const { outputs } = await step.run(context(jobId, {}));
    return { outputs, file: (outputs as { archive: string }).archive };
  }
  const refusal = async (run: Promise<unknown>) => {
    const error = await run.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    return error as DriverError;
  };

  it('gives the receipt when the archive reads back with the checksum it was written with', async () => {
    const jobId = randomUUID();
    const { outputs } = await archived(jobId);
    const result = await deleteTenantRecord(store).run(context(jobId, { ARCHIVE_AUDIT_LOGS: outputs, DELETE_NAMESPACE: { removed: ['Namespace/matih-acme'] } }));
    expect(result.outputs).toEqual({ recordDeleted: true, removed: { ARCHIVE_AUDIT_LOGS: outputs, DELETE_NAMESPACE: { removed: ['Namespace/matih-acme'] } } });
  });

  it('stops, not to be retried, when the archive was changed after it was written', async () => {
    const jobId = randomUUID();
    const { outputs, file } = await archived(jobId);
    await writeFile(file, '{"type":"tenant"}\n');
    const error = await refusal(deleteTenantRecord(store).run(context(jobId, { ARCHIVE_AUDIT_LOGS: outputs })));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('tenant record is kept');
  });

  it('stops when the archive is gone, and when the deletion recorded none', async () => {
    const jobId = randomUUID();
    const { outputs, file } = await archived(jobId);
    await unlink(file);
    expect((await refusal(deleteTenantRecord(store).run(context(jobId, { ARCHIVE_AUDIT_LOGS: outputs })))).retryable).toBe(false);
    expect((await refusal(deleteTenantRecord(store).run(context(randomUUID(), {})))).message).toContain('no audit archive');
  });

  it('reads back the archive of its own job, not another deletion of the tenant', async () => {
    const first = randomUUID();
    const { outputs } = await archived(first);
    // A second deletion job whose archive step recorded the first one's outputs has no archive of its own.
    expect((await refusal(deleteTenantRecord(store).run(context(randomUUID(), { ARCHIVE_AUDIT_LOGS: outputs })))).retryable).toBe(false);
  });
});
