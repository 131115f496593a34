import type { Tenant } from '../../domain/tenant.js';
import type { Db } from '../open-database.js';
import { toTenant } from './tenant-row.js';

export async function getTenant(db: Db, id: string): Promise<Tenant | undefined> {
  const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toTenant(row) : undefined;
}
