import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { JobStatus } from '../../domain/provisioning.js';

export interface TerraformLockRow {
  holderJobId: string;
  acquiredAt: Date;
  expiresAt: Date;
}

// A job keeps its lock only while it works on it: RUNNING or ROLLING_BACK (rollback destroys under
// the lock) with a lease in force. A job that finished, failed, waits for a retry (its lease given
// up) or whose worker died has abandoned the lock, so no engine path has to release it.
const LIVE = [JobStatus.RUNNING, JobStatus.ROLLING_BACK];

/**
 * True when the lock row under `alias` binds nobody: its lease ran out, or its holder is a job
 * that no longer works on it. A holder that is no job at all is trusted until its lease ends.
 */
export function lockIsFree(alias: string): RawBuilder<SqlBool> {
  const lock = sql.table(alias);
  return sql<SqlBool>`(${lock}.expires_at <= now() or exists (
    select 1 from tenant_provisioning_jobs j
    where j.id = ${lock}.holder_job_id
      and not (j.status in (${sql.join(LIVE)}) and j.lease_until is not null and j.lease_until > now())
  ))`;
}
