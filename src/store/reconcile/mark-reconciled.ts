import { sql } from 'kysely';
import type { Db } from '../open-database.js';

/** The tenants a sweep found matching their declaration: one statement for a whole page. */
export async function markReconciled(db: Db, tenantIds: readonly string[]): Promise<void> {
  if (tenantIds.length === 0) return;
  await db.updateTable('desiredInfrastructureState').set({ lastReconciledAt: sql<Date>`now()` }).where('tenantId', 'in', [...tenantIds]).execute();
}
