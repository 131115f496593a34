import path from 'node:path';
import { ARCHIVE_S3_VARIABLES, type ArchiveS3Settings, parseArchiveS3Settings } from './archive-s3-settings.js';
import type { VariableReader } from './variable-reader.js';

/** Deletion, archive and the desired-state reconciler (spec/002 lifecycle operations, spec/000). */
export const LIFECYCLE_VARIABLES = {
  MATIH_ARCHIVE_STORE: '',
  MATIH_ARCHIVE_DIR: '',
  MATIH_DELETION_CODE_TTL_S: '600',
  MATIH_RECONCILE_INTERVAL_S: '60',
  MATIH_RECONCILE_MAX_JOBS: '4',
  MATIH_TOMBSTONE_RETENTION_DAYS: '365',
  ...ARCHIVE_S3_VARIABLES,
} as const;
type LifecycleVariable = keyof typeof LIFECYCLE_VARIABLES;

export const ARCHIVE_STORES = ['database', 'directory', 's3'] as const;
export type ArchiveStoreKind = (typeof ARCHIVE_STORES)[number];

export interface LifecycleSettings {
  /**
   * Long-term storage of the audit logs exported before a deletion: the control-plane database
   * (default: every replica reads what another wrote) or a directory (`archiveDir`: shared storage
   * when several replicas run) or an S3 bucket (`archiveS3`).
   */
  archiveStore: ArchiveStoreKind;
  archiveDir: string;
  /** Set when `archiveStore` is s3 (archive-s3-settings.ts). */
  archiveS3?: ArchiveS3Settings | undefined;
  /** How long a deletion confirmation code stays valid (spec/002: 10 minutes). */
  deletionCodeTtlSeconds: number;
  /** Time between two full reconcile sweeps; 0 turns the periodic sweep off (declaration changes still reconcile). */
  reconcileIntervalMs: number;
  /** At most this many repair jobs queued or running at once, so repairs never crowd out new provisioning. */
  reconcileMaxJobs: number;
  /**
   * How long a deleted tenant's tombstone (its id, dates, jobs, history and deletion receipt,
   * no personal data) stays before housekeeping purges it; 0 keeps tombstones for ever. The
   * audit archive is the record after that.
   */
  tombstoneRetentionDays: number;
}

/**
 * The archive goes to the database unless a directory is named (MATIH_ARCHIVE_DIR) or asked for
 * (MATIH_ARCHIVE_STORE=directory: `dataDir`/archive by default); a bucket only when asked for
 * (MATIH_ARCHIVE_STORE=s3).
 */
export function parseLifecycleSettings(read: VariableReader<LifecycleVariable>, dataDir: string, problems: string[]): LifecycleSettings {
  const store = read.text('MATIH_ARCHIVE_STORE') || (read.text('MATIH_ARCHIVE_DIR') ? 'directory' : 'database');
  const archiveStore = (ARCHIVE_STORES as readonly string[]).includes(store) ? (store as ArchiveStoreKind) : undefined;
  if (!archiveStore) problems.push(`MATIH_ARCHIVE_STORE="${store}" must be one of ${ARCHIVE_STORES.join(', ')}`);
  return {
    archiveStore: archiveStore ?? 'database',
    archiveDir: path.resolve(read.text('MATIH_ARCHIVE_DIR') || path.join(dataDir, 'archive')),
    archiveS3: parseArchiveS3Settings(read, archiveStore === 's3', problems),
    deletionCodeTtlSeconds: read.int('MATIH_DELETION_CODE_TTL_S', 30, 86_400),
    reconcileIntervalMs: read.int('MATIH_RECONCILE_INTERVAL_S', 0, 86_400) * 1000,
    reconcileMaxJobs: read.int('MATIH_RECONCILE_MAX_JOBS', 1, 1000),
    tombstoneRetentionDays: read.int('MATIH_TOMBSTONE_RETENTION_DAYS', 0, 36_500),
  };
}
