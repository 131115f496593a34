import { createHash } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { history, waitForJobEnd } from '../support/provisioning.js';
import { LocalS3, S3RVER_CREDENTIALS } from '../support/s3-server.js';
import { type TestApp, adminAuth, createTenantViaApi, startTestApp } from '../support/test-app.js';

/**
 * A tenant's deletion with MATIH_ARCHIVE_STORE=s3 (issue 16 item 7): the audit archive goes to a
 * bucket every replica reaches (s3rver here), DELETE_TENANT_RECORD reads it back from there, and
 * the receipt names the object, whose bytes hash to the recorded checksum.
 */
describe('deleting a tenant with the archive in an S3 bucket', () => {
  const LONG = 60_000;
  const BUCKET = 'matih-deletions';
  const s3 = new LocalS3();
  let t: TestApp;
  let raw: S3Client;

  beforeAll(async () => {
    await s3.start([BUCKET]);
    raw = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
    t = await startTestApp({
      engine: { archiveS3: { bucket: BUCKET, prefix: 'audit', region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS } },
    });
  }, LONG);
  afterAll(async () => {
    await t?.close();
    raw?.destroy();
    await s3.stop();
  });

  it(
    'archives to the bucket, reads it back before the record goes, and records where it is',
    async () => {
      const tenant = await createTenantViaApi(t.app, { tier: 'FREE' });
      expect((await waitForJobEnd(t.app, tenant.id, LONG)).job.status).toBe('SUCCEEDED');
      const issued = await t.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenant.id}/deletion-requests`, headers: adminAuth });
      const { confirmationCode } = issued.json<{ confirmationCode: string }>();
      expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/tenants/${tenant.id}`, headers: { ...adminAuth, 'x-confirmation-code': confirmationCode } })).statusCode).toBe(202);

      const done = await waitForJobEnd(t.app, tenant.id, LONG);
      expect(done.job).toMatchObject({ kind: 'DELETE', status: 'SUCCEEDED' });
      const receipt = (await history(t.app, tenant.id)).find((h) => h.trigger === 'job.succeeded' && h.details.kind === 'DELETE')?.details.receipt as {
        removed: { ARCHIVE_AUDIT_LOGS: { archive: string; sha256: string; records: number } };
      };
      const key = `audit/tenants/${tenant.id}/audit-${done.job.id}.jsonl`;
      expect(receipt.removed.ARCHIVE_AUDIT_LOGS.archive).toBe(`s3://${BUCKET}/${key}`);

      const object = await raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      const bytes = Buffer.from(await object.Body!.transformToByteArray());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(receipt.removed.ARCHIVE_AUDIT_LOGS.sha256);
      expect(object.Metadata?.sha256).toBe(receipt.removed.ARCHIVE_AUDIT_LOGS.sha256);
      // The archive is the only copy of what the tombstone dropped.
      expect(bytes.toString()).toContain(tenant.adminEmail);
      expect(bytes.toString().trim().split('\n')).toHaveLength(receipt.removed.ARCHIVE_AUDIT_LOGS.records);
    },
    LONG * 2,
  );
});
