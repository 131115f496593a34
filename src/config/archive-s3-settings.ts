import { isSafeArchivePath } from '../domain/archive-keys.js';
import type { VariableReader } from './variable-reader.js';

/** The S3 archive store (MATIH_ARCHIVE_STORE=s3): AWS S3 or an S3-compatible service. */
export const ARCHIVE_S3_VARIABLES = {
  MATIH_ARCHIVE_S3_BUCKET: '',
  MATIH_ARCHIVE_S3_PREFIX: '',
  MATIH_ARCHIVE_S3_REGION: 'us-east-1',
  MATIH_ARCHIVE_S3_ENDPOINT: '',
  MATIH_ARCHIVE_S3_FORCE_PATH_STYLE: '',
  MATIH_ARCHIVE_S3_ACCESS_KEY_ID: '',
  MATIH_ARCHIVE_S3_SECRET_ACCESS_KEY: '',
} as const;
type ArchiveS3Variable = keyof typeof ARCHIVE_S3_VARIABLES;

export interface ArchiveS3Settings {
  bucket: string;
  /** Put before every archive key, without leading or trailing slash; undefined: none. */
  prefix: string | undefined;
  region: string;
  /** An S3-compatible service's URL (MinIO, Ceph RGW...); undefined: AWS. */
  endpoint: string | undefined;
  forcePathStyle: boolean;
  /** Keys of this store's own; undefined: the AWS SDK's default chain (AWS_* variables, profile, web identity, instance role). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
}

// S3's rule for new buckets, loosened to the upper case and underscores older S3-compatibles allow.
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$/;

/**
 * Undefined unless the store is s3; then the bucket is required. Variables of this store set for
 * another are a problem, as a forgotten MATIH_ARCHIVE_STORE=s3 would otherwise leave the archive
 * where the operator did not mean it. The secret is never echoed in a problem.
 */
export function parseArchiveS3Settings(read: VariableReader<ArchiveS3Variable>, selected: boolean, problems: string[]): ArchiveS3Settings | undefined {
  if (!selected) {
    const stray = Object.keys(ARCHIVE_S3_VARIABLES).filter((name) => (read.env[name]?.trim() ?? '') !== '');
    if (stray.length > 0) problems.push(`${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but MATIH_ARCHIVE_STORE is not s3: set it to s3, or unset them`);
    return undefined;
  }
  const bucket = read.text('MATIH_ARCHIVE_S3_BUCKET');
  if (!bucket) problems.push('MATIH_ARCHIVE_S3_BUCKET must be set when MATIH_ARCHIVE_STORE=s3');
  else if (!BUCKET.test(bucket)) problems.push(`MATIH_ARCHIVE_S3_BUCKET="${bucket}" is not a bucket name (3 to 63 letters, digits, dots, hyphens)`);
  const prefix = read.text('MATIH_ARCHIVE_S3_PREFIX').replace(/^\/+|\/+$/g, '');
  if (prefix && !isSafeArchivePath(prefix)) problems.push(`MATIH_ARCHIVE_S3_PREFIX="${prefix}" must be path segments of letters, digits, dots, hyphens and underscores`);
  const endpoint = read.optional('MATIH_ARCHIVE_S3_ENDPOINT');
  if (endpoint !== undefined && !isHttpUrl(endpoint)) problems.push(`MATIH_ARCHIVE_S3_ENDPOINT="${endpoint}" must be an http:// or https:// URL`);
  const accessKeyId = read.optional('MATIH_ARCHIVE_S3_ACCESS_KEY_ID');
  const secretAccessKey = read.optional('MATIH_ARCHIVE_S3_SECRET_ACCESS_KEY');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    problems.push('MATIH_ARCHIVE_S3_ACCESS_KEY_ID and MATIH_ARCHIVE_S3_SECRET_ACCESS_KEY go together: set both, or neither to use the AWS SDK default credentials');
  }
  return {
    bucket,
    prefix: prefix || undefined,
    region: read.text('MATIH_ARCHIVE_S3_REGION'),
    endpoint,
    // S3-compatible services mostly serve buckets as paths, not as host names of their own.
    forcePathStyle: read.optional('MATIH_ARCHIVE_S3_FORCE_PATH_STYLE') === undefined ? endpoint !== undefined : read.bool('MATIH_ARCHIVE_S3_FORCE_PATH_STYLE'),
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
  };
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
