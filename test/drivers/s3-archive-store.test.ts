import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildArchiveStore } from '../../src/build-archive-store.js';
import { loadConfig } from '../../src/config/load-config.js';
import { type S3ArchiveOptions, S3ArchiveStore } from '../../src/drivers/archive/s3-archive-store.js';
import { DriverError } from '../../src/drivers/contract.js';
import { JobKind } from '../../src/domain/provisioning.js';
import { archiveAuditLogs } from '../../src/steps/handlers/archive-audit-logs.js';
import { deleteTenantRecord } from '../../src/steps/handlers/delete-tenant-record.js';
import type { StepContext } from '../../src/steps/step.js';
import type { Db } from '../../src/store/open-database.js';
import { LocalS3, S3RVER_CREDENTIALS } from '../support/s3-server.js';

/**
 * The S3 archive store (issue 16 item 7: archives every replica can reach), against s3rver, a
 * local stand-in for S3 speaking its REST API, started on a free port with a directory of its own.
 */
describe('the S3 archive store', () => {
  const BUCKET = 'matih-archive';
  const s3 = new LocalS3();
  let raw: S3Client;
  const stores: S3ArchiveStore[] = [];
  /** A store over the stand-in, closed at the end; `options` over the defaults. */
  const storeWith = (options: Partial<S3ArchiveOptions> = {}) => {
    const store = new S3ArchiveStore({ bucket: BUCKET, prefix: 'matih/test', region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS, ...options });
    stores.push(store);
    return store;
  };
  const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  /** The object as S3 holds it, read around the store. */
  const object = async (key: string) => {
    const got = await raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return { body: Buffer.from(await got.Body!.transformToByteArray()), metadata: got.Metadata ?? {} };
  };
  /** Rewrites an object behind the store's back, as anyone else with write access to the bucket could. */
  const overwrite = (key: string, body: string, metadata?: Record<string, string>) =>
    raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ...(metadata ? { Metadata: metadata } : {}) }));
  const failure = async (run: Promise<unknown>): Promise<DriverError> => {
    const error = await run.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    return error as DriverError;
  };

  beforeAll(async () => {
    await s3.start([BUCKET]);
    raw = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
  });
  afterAll(async () => {
    for (const store of stores) store.close();
    raw?.destroy();
    await s3.stop();
  });

  it('stores the bytes under the prefix with their checksum as metadata, and another instance (another replica) verifies them', async () => {
    const body = Buffer.concat([Buffer.from('{"type":"tenant"}\n'), randomBytes(1 << 20)]);
    const written = await storeWith().put('tenants/a/audit-1.jsonl', body);
    expect(written).toEqual({ location: `s3://${BUCKET}/matih/test/tenants/a/audit-1.jsonl`, sha256: sha256(body), bytes: body.length });
    const stored = await object('matih/test/tenants/a/audit-1.jsonl');
    expect(stored.body.equals(body)).toBe(true);
    expect(stored.metadata.sha256).toBe(sha256(body));
    expect(await storeWith().verify('tenants/a/audit-1.jsonl')).toEqual(written);
  });

  it('is idempotent, replaces with other bytes whole, and answers undefined for a key never written', async () => {
    const store = storeWith();
    const first = await store.put('tenants/b/audit-1.jsonl', Buffer.from('one\n'));
    expect(await store.put('tenants/b/audit-1.jsonl', Buffer.from('one\n'))).toEqual(first);
    const longer = Buffer.from('one\ntwo\n');
    const second = await store.put('tenants/b/audit-1.jsonl', longer);
    expect(second).toEqual({ ...first, sha256: sha256(longer), bytes: longer.length });
    expect((await object('matih/test/tenants/b/audit-1.jsonl')).body.toString()).toBe('one\ntwo\n');
    expect(await store.verify('tenants/b/audit-1.jsonl')).toEqual(second);
    expect(await store.verify('tenants/b/audit-2.jsonl')).toBeUndefined();
  });

  it('answers undefined for an object rewritten behind its back, with or without the checksum metadata, until it writes it again', async () => {
    const store = storeWith();
    const key = 'matih/test/tenants/c/audit-1.jsonl';
    const original = await store.put('tenants/c/audit-1.jsonl', Buffer.from('original\n'));
    // Other bytes, the recorded checksum kept.
    await overwrite(key, 'tampered\n', { sha256: original.sha256 });
    expect(await store.verify('tenants/c/audit-1.jsonl')).toBeUndefined();
    // Other bytes, metadata dropped.
    await overwrite(key, 'tampered\n');
    expect(await store.verify('tenants/c/audit-1.jsonl')).toBeUndefined();
    // The right bytes, but no checksum recorded with them: nothing to check them against.
    await overwrite(key, 'original\n');
    expect(await store.verify('tenants/c/audit-1.jsonl')).toBeUndefined();
    // A resumed step writes them again, checksum and all.
    expect(await store.put('tenants/c/audit-1.jsonl', Buffer.from('original\n'))).toEqual(original);
    expect(await store.verify('tenants/c/audit-1.jsonl')).toEqual(original);
  });

  it('refuses keys that would leave its prefix, permanently, and writes nothing', async () => {
    const store = storeWith();
    for (const key of ['../escape', '/abs/path', 'a/../../b', 'a//b', 'a/./b', '', '.hidden']) {
      expect((await failure(store.put(key, Buffer.from('x')))).retryable, key).toBe(false);
      expect((await failure(store.verify(key))).retryable, key).toBe(false);
    }
    const listed = await raw.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect((listed.Contents ?? []).map((o) => o.Key).filter((k) => !k?.startsWith('matih/test/tenants/'))).toEqual([]);
  });

  it('reports a bucket that does not exist as permanent, naming it', async () => {
    const store = storeWith({ bucket: 'no-such-bucket' });
    for (const run of [() => store.put('tenants/d/audit-1.jsonl', Buffer.from('x')), () => store.verify('tenants/d/audit-1.jsonl')]) {
      const error = await failure(run());
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('bucket "no-such-bucket" does not exist');
    }
  });

  it('reports refused credentials as permanent, naming the bucket and not the secret', async () => {
    // s3rver knows one key pair and refuses other key ids (it does not check SigV4 signatures, so
    // a wrong secret for its own key id would pass: that case cannot be shown against it).
    const store = storeWith({ credentials: { accessKeyId: 'UNKNOWNKEYID', secretAccessKey: 'secret-never-shown-0123456789' } });
    const error = await failure(store.put('tenants/e/audit-1.jsonl', Buffer.from('x')));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(`access to bucket "${BUCKET}" denied (InvalidAccessKeyId, HTTP 403)`);
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain('secret-never-shown');
  });

  it('reports a store that stopped answering as retryable', async () => {
    const other = new LocalS3();
    await other.start([BUCKET]);
    const store = storeWith({ endpoint: other.endpoint });
    await store.put('tenants/f/audit-1.jsonl', Buffer.from('x'));
    store.close();
    await other.stop();
    for (const run of [() => store.verify('tenants/f/audit-1.jsonl'), () => store.put('tenants/f/audit-1.jsonl', Buffer.from('y'))]) {
      const error = await failure(run());
      expect(error.retryable).toBe(true);
      expect(error.message).toContain(`bucket "${BUCKET}" did not answer`);
      expect(error.message).toContain('ECONNREFUSED');
    }
  });

  it('reports throttling and server errors as retryable (an endpoint answering 503 SlowDown, as S3 does under load)', async () => {
    // s3rver never throttles, so this endpoint answers every request as S3 does when it sheds load.
    const busy: Server = createServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/xml' });
      response.end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
    });
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const store = storeWith({ endpoint: `http://127.0.0.1:${(busy.address() as AddressInfo).port}` });
      const error = await failure(store.put('tenants/g/audit-1.jsonl', Buffer.from('x')));
      expect(error.retryable).toBe(true);
      expect(error.message).toContain(`bucket "${BUCKET}" refused (SlowDown, HTTP 503)`);
    } finally {
      busy.closeAllConnections();
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  it('is what MATIH_ARCHIVE_STORE=s3 builds from the MATIH_ARCHIVE_S3_* settings', async () => {
    const { lifecycle } = loadConfig({
      MATIH_ARCHIVE_STORE: 's3',
      MATIH_ARCHIVE_S3_BUCKET: BUCKET,
      MATIH_ARCHIVE_S3_PREFIX: '/from-config/',
      MATIH_ARCHIVE_S3_ENDPOINT: s3.endpoint,
      MATIH_ARCHIVE_S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      MATIH_ARCHIVE_S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    });
    // The S3 store never touches the control-plane database.
    const store = await buildArchiveStore({} as Db, lifecycle);
    expect(store).toBeInstanceOf(S3ArchiveStore);
    stores.push(store as S3ArchiveStore);
    const body = Buffer.from('{"type":"tenant"}\n');
    expect((await store.put('tenants/h/audit-1.jsonl', body)).location).toBe(`s3://${BUCKET}/from-config/tenants/h/audit-1.jsonl`);
    expect((await object('from-config/tenants/h/audit-1.jsonl')).body.equals(body)).toBe(true);
  });

  it('lets DELETE_TENANT_RECORD read back what ARCHIVE_AUDIT_LOGS wrote, and stops the deletion when the object was changed since', async () => {
    const store = storeWith();
    const tenant = { id: randomUUID(), slug: 'acme', tier: 'FREE', region: 'eastus', cloudProvider: 'AZURE', adminEmail: 'admin@acme.example.com', namespace: 'matih-acme' } as const;
    const context = (jobId: string, outputs: StepContext['outputs']): StepContext => ({
      tenant,
      jobId,
      operation: { kind: JobKind.DELETE, generation: 1 },
      outputs,
      signal: new AbortController().signal,
      provenance: { provisionedAt: '2026-01-01T00:00:00.000Z', provisionedBy: 'test' },
    });
    const archive = archiveAuditLogs(store, () => Promise.resolve([{ type: 'tenant', adminEmail: tenant.adminEmail }]));

    const kept = randomUUID();
    const { outputs } = await archive.run(context(kept, {}));
    expect(outputs).toMatchObject({ archive: `s3://${BUCKET}/matih/test/tenants/${tenant.id}/audit-${kept}.jsonl`, records: 1 });
    expect((await deleteTenantRecord(store).run(context(kept, { ARCHIVE_AUDIT_LOGS: outputs }))).outputs).toMatchObject({ recordDeleted: true });

    const changed = randomUUID();
    const second = await archive.run(context(changed, {}));
    await overwrite(`matih/test/tenants/${tenant.id}/audit-${changed}.jsonl`, '{"type":"tenant"}\n', { sha256: (second.outputs as { sha256: string }).sha256 });
    const error = await failure(deleteTenantRecord(store).run(context(changed, { ARCHIVE_AUDIT_LOGS: second.outputs })));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('tenant record is kept');
  });
});
