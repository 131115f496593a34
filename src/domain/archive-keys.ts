/**
 * What an archive key (and the S3 prefix put before it) may be: path segments of safe characters
 * only, no empty, `.` or `..` segment, no leading slash. Our keys are `tenants/{uuid}/audit-{uuid}.jsonl`;
 * every archive store refuses anything else that could leave its directory or bucket prefix, or
 * name an object two ways.
 */
const SEGMENTS = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export function isSafeArchivePath(path: string): boolean {
  return SEGMENTS.test(path) && !path.split('/').some((segment) => segment === '..' || segment === '.');
}
