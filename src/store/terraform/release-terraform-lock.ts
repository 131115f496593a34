import type { Db } from '../open-database.js';

/** Gives the lock up if `holderJobId` holds it; true when it did. Someone else's lock is left alone. */
export async function releaseTerraformLock(db: Db, stateKey: string, holderJobId: string): Promise<boolean> {
  const deleted = await db
    .deleteFrom('terraformStateLocks')
    .where('stateKey', '=', stateKey)
    .where('holderJobId', '=', holderJobId)
    .executeTakeFirst();
  return Number(deleted.numDeletedRows) > 0;
}
