import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The part of s3rver (a named local stand-in for S3, no types of its own) the tests use. */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  store: FilesystemStore;
}
/** Its filesystem store, as far as `putObject` below needs it. */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: { bucket: string; key: string; content: Buffer | AsyncIterable<Buffer>; metadata: Record<string, string> }): Promise<{ size: number; md5: string }>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

/** s3rver's built-in account: it checks every request's SigV4 signature against this key pair. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * s3rver on a free loopback port, keeping its buckets in a temporary directory of its own (the
 * objects are plain files there, under `{bucket}/{key}._S3rver_object`, which lets a test change
 * one behind the store's back). Path-style addressing; `stop` closes it and removes the directory.
 */
export class LocalS3 {
  endpoint = '';
  directory = '';
  private server: S3rverInstance | undefined;

  async start(buckets: readonly string[]): Promise<void> {
    const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
    this.directory = await mkdtemp(path.join(tmpdir(), 'matih-s3rver-'));
    this.server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: this.directory, configureBuckets: buckets.map((name) => ({ name })) });
    writeObjectsWhole(this.server.store);
    const { port } = await this.server.run();
    this.endpoint = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
    if (this.directory) await rm(this.directory, { recursive: true, force: true });
  }
}

/**
 * s3rver 3.7.1's PutObject answers before the object is on disk: it resolves when its hashing
 * stream has consumed the request, not when the file stream writing the object in place has
 * finished, so a GET right after a PUT can read a truncated object (3 in 300 PUT-then-GET of
 * 64 KiB, on a busy machine). S3 itself shows the whole new object once PUT has answered. The
 * stand-in is made to do the same: the body is read whole, written to a temporary file and
 * renamed over the object before the metadata is written and the PUT answered.
 */
function writeObjectsWhole(store: FilesystemStore): void {
  store.putObject = async (object) => {
    let body: Buffer;
    if (Buffer.isBuffer(object.content)) body = object.content;
    else {
      const chunks: Buffer[] = [];
      for await (const chunk of object.content) chunks.push(chunk);
      body = Buffer.concat(chunks);
    }
    const file = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${randomUUID()}.tmp`;
    await writeFile(temp, body);
    await rename(temp, file);
    const md5 = createHash('md5').update(body).digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size: body.length, md5 };
  };
}
