import type { Db } from '../open-database.js';

export interface TenantRoleRecord {
  id: string;
  tenantId: string;
  name: string;
  description: string;
  permissions: string[];
  isSystem: boolean;
  createdAt: Date;
}

export async function listTenantRoles(db: Db, tenantId: string): Promise<TenantRoleRecord[]> {
  return db.selectFrom('roles').selectAll().where('tenantId', '=', tenantId).orderBy('name').execute();
}
