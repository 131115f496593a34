import { sql } from 'kysely';
import type { Db } from '../open-database.js';
import { lockIsFree, type TerraformLockRow } from './terraform-lock-table.js';

/** Who holds the lock now; undefined when it is free, whether or not a row is left for it. */
export async function terraformLockHolder(db: Db, stateKey: string): Promise<TerraformLockRow | undefined> {
  const result = await sql<TerraformLockRow>`
    select l.holder_job_id, l.acquired_at, l.expires_at from terraform_state_locks l
    where l.state_key = ${stateKey} and not ${lockIsFree('l')}`.execute(db);
  return result.rows[0];
}
