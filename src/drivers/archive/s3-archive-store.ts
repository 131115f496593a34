import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { isSafeArchivePath } from '../../domain/archive-keys.js';
import { type ArchiveStore, type ArchivedObject, DriverError } from '../contract.js';
import { codeOf, s3DriverError, statusOf } from './s3-errors.js';

export interface S3ArchiveOptions {
  bucket: string;
  /** Put before every key (`{prefix}/{key}`); no leading or trailing slash. */
  prefix?: string | undefined;
  region: string;
  /** An S3-compatible service (MinIO, Ceph RGW...); unset: AWS's own endpoint for the region. */
  endpoint?: string | undefined;
  /** `{endpoint}/{bucket}/{key}` rather than `{bucket}.{endpoint}/{key}`: what most S3-compatibles need. */
  forcePathStyle: boolean;
  /** Unset: the SDK's default chain (AWS_ACCESS_KEY_ID..., a profile, web identity, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

/** The object's own metadata entry (`x-amz-meta-sha256`) holding the hex SHA-256 of its bytes. */
const CHECKSUM_METADATA = 'sha256';

/**
 * The archive in an S3 bucket (MATIH_ARCHIVE_STORE=s3): AWS S3 or any S3-compatible store, which
 * every replica reaches. A PutObject is atomic (readers see the old object or the new, never
 * part of one), and carries the body's SHA-256 twice: as `ChecksumSHA256`, which S3 checks on
 * arrival (refusing a body damaged on the way), and as user metadata, which stays with the object
 * so that `verify` can compare it with a hash of the bytes it reads back, as the other stores do
 * with the checksum kept beside their bytes. An object rewritten by anyone else without that
 * metadata, or with other bytes, does not verify.
 */
export class S3ArchiveStore implements ArchiveStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(options: S3ArchiveOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ? `${options.prefix}/` : '';
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // The SDK retries transient failures twice itself; beyond that, the engine's backoff decides.
      maxAttempts: 3,
      // A store that accepts the connection and never answers fails the step instead of holding it.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
    });
  }

  async put(key: string, body: Uint8Array): Promise<ArchivedObject> {
    const objectKey = this.objectKeyOf(key);
    const digest = sha256(body);
    const existing = await this.verify(key);
    if (existing && existing.sha256 === digest) return existing;
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: objectKey,
          Body: body,
          ContentLength: body.length,
          ContentType: 'application/octet-stream',
          ChecksumSHA256: Buffer.from(digest, 'hex').toString('base64'),
          Metadata: { [CHECKSUM_METADATA]: digest },
        }),
      );
    } catch (error) {
      throw s3DriverError(`archive ${this.locationOf(objectKey)}: writing`, this.bucket, error);
    }
    const stored = await this.verify(key);
    if (!stored || stored.sha256 !== digest) throw new DriverError(`archive ${this.locationOf(objectKey)}: the bytes read back differ from those written`, true);
    return stored;
  }

  async verify(key: string): Promise<ArchivedObject | undefined> {
    const objectKey = this.objectKeyOf(key);
    let stored: Uint8Array;
    let recorded: string | undefined;
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      if (!object.Body) return undefined;
      stored = await object.Body.transformToByteArray();
      recorded = object.Metadata?.[CHECKSUM_METADATA];
    } catch (error) {
      // NoSuchKey; a bare 404 from stores that answer GET without a code. A missing bucket is not "absent".
      if (codeOf(error) === 'NoSuchKey' || (statusOf(error) === 404 && codeOf(error) !== 'NoSuchBucket')) return undefined;
      throw s3DriverError(`archive ${this.locationOf(objectKey)}: reading`, this.bucket, error);
    }
    const digest = sha256(stored);
    if (recorded !== digest) return undefined;
    return { location: this.locationOf(objectKey), sha256: digest, bytes: stored.length };
  }

  /** Closes the client's idle connections. */
  close(): void {
    this.client.destroy();
  }

  private objectKeyOf(key: string): string {
    if (!isSafeArchivePath(key)) throw new DriverError(`archive key ${JSON.stringify(key)} is not a safe relative path`, false);
    return `${this.prefix}${key}`;
  }

  private locationOf(objectKey: string): string {
    return `s3://${this.bucket}/${objectKey}`;
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
