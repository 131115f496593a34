import type { Db } from '../open-database.js';
import { acquireTerraformLock, type AcquireTerraformLockResult } from './acquire-terraform-lock.js';
import { releaseTerraformLock } from './release-terraform-lock.js';
import { terraformLockHolder } from './terraform-lock-holder.js';
import type { TerraformLockRow } from './terraform-lock-table.js';

/** The lock operations bound to a database: what app wiring hands the steps as their TerraformStateLocks. */
export interface TerraformStateLockStore {
  acquire(stateKey: string, holderJobId: string, leaseMs: number): Promise<AcquireTerraformLockResult>;
  release(stateKey: string, holderJobId: string): Promise<boolean>;
  holder(stateKey: string): Promise<TerraformLockRow | undefined>;
}

export function terraformStateLockStore(db: Db): TerraformStateLockStore {
  return {
    acquire: (stateKey, holderJobId, leaseMs) => acquireTerraformLock(db, stateKey, holderJobId, leaseMs),
    release: (stateKey, holderJobId) => releaseTerraformLock(db, stateKey, holderJobId),
    holder: (stateKey) => terraformLockHolder(db, stateKey),
  };
}
