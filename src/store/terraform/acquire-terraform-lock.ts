import { sql } from 'kysely';
import type { Db } from '../open-database.js';
import { lockIsFree, type TerraformLockRow } from './terraform-lock-table.js';

export type AcquireTerraformLockResult =
  | { acquired: true; tookOverFrom?: string; expiresAt: Date }
  | { acquired: false; holderJobId: string; expiresAt: Date };

/**
 * Takes the state lock for `holderJobId`, renews it when that job already holds it, or takes it
 * over when it is free (lockIsFree). One statement: concurrent acquirers on any replica serialise
 * on the row, and exactly one of them gets a free lock. Times are the database's clock.
 */
export async function acquireTerraformLock(db: Db, stateKey: string, holderJobId: string, leaseMs: number, attempt = 1): Promise<AcquireTerraformLockResult> {
  const taken = await sql<TerraformLockRow & { previousHolder: string | null }>`
    with previous as (select holder_job_id from terraform_state_locks where state_key = ${stateKey})
    insert into terraform_state_locks as l (state_key, holder_job_id, acquired_at, expires_at)
    values (${stateKey}, ${holderJobId}, now(), now() + ${leaseMs} * interval '1 millisecond')
    on conflict (state_key) do update set
      holder_job_id = excluded.holder_job_id,
      acquired_at = case when l.holder_job_id = excluded.holder_job_id then l.acquired_at else now() end,
      expires_at = excluded.expires_at
    where l.holder_job_id = excluded.holder_job_id or ${lockIsFree('l')}
    returning l.holder_job_id, l.acquired_at, l.expires_at, (select holder_job_id from previous) as previous_holder`.execute(db);
  const row = taken.rows[0];
  if (row) {
    const previous = row.previousHolder;
    return previous !== null && previous !== holderJobId
      ? { acquired: true, tookOverFrom: previous, expiresAt: row.expiresAt }
      : { acquired: true, expiresAt: row.expiresAt };
  }
  const held = await sql<TerraformLockRow>`
    select holder_job_id, acquired_at, expires_at from terraform_state_locks where state_key = ${stateKey}`.execute(db);
  const holder = held.rows[0];
  if (holder) return { acquired: false, holderJobId: holder.holderJobId, expiresAt: holder.expiresAt };
  // Released between the two statements: it is free now, so ask once more.
  if (attempt < 3) return acquireTerraformLock(db, stateKey, holderJobId, leaseMs, attempt + 1);
  return { acquired: false, holderJobId: 'unknown', expiresAt: new Date() };
}
