import path from 'node:path';
import type { VariableReader } from './variable-reader.js';

/** Deletion, archive and the desired-state reconciler (spec/002 lifecycle operations, spec/000). */
export const LIFECYCLE_VARIABLES = {
  MATIH_ARCHIVE_DIR: '',
  MATIH_DELETION_CODE_TTL_S: '600',
  MATIH_RECONCILE_INTERVAL_S: '60',
  MATIH_RECONCILE_MAX_JOBS: '4',
} as const;
type LifecycleVariable = keyof typeof LIFECYCLE_VARIABLES;

export interface LifecycleSettings {
  /** Long-term storage of audit logs exported before a deletion (a file store). */
  archiveDir: string;
  /** How long a deletion confirmation code stays valid (spec/002: 10 minutes). */
  deletionCodeTtlSeconds: number;
  /** Time between two full reconcile sweeps; 0 turns the periodic sweep off (declaration changes still reconcile). */
  reconcileIntervalMs: number;
  /** At most this many repair jobs queued or running at once, so repairs never crowd out new provisioning. */
  reconcileMaxJobs: number;
}

/** `dataDir` (absolute) holds the archive unless MATIH_ARCHIVE_DIR says otherwise. */
export function parseLifecycleSettings(read: VariableReader<LifecycleVariable>, dataDir: string): LifecycleSettings {
  return {
    archiveDir: path.resolve(read.text('MATIH_ARCHIVE_DIR') || path.join(dataDir, 'archive')),
    deletionCodeTtlSeconds: read.int('MATIH_DELETION_CODE_TTL_S', 30, 86_400),
    reconcileIntervalMs: read.int('MATIH_RECONCILE_INTERVAL_S', 0, 86_400) * 1000,
    reconcileMaxJobs: read.int('MATIH_RECONCILE_MAX_JOBS', 1, 1000),
  };
}
