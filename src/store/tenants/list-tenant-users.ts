import { type Selectable, sql } from 'kysely';
import type { Db } from '../open-database.js';
import type { UsersTable } from '../schema.js';

/** A user of the tenant with the names of its roles. */
export type TenantUser = Omit<Selectable<UsersTable>, 'updatedAt'> & { roles: string[] };

export async function listTenantUsers(db: Db, tenantId: string): Promise<TenantUser[]> {
  const rows = await db
    .selectFrom('users')
    .leftJoin('userRoles', 'userRoles.userId', 'users.id')
    .leftJoin('roles', 'roles.id', 'userRoles.roleId')
    .select([
      'users.id', 'users.tenantId', 'users.email', 'users.displayName', 'users.status', 'users.isTenantAdmin', 'users.createdAt',
      sql<string[]>`coalesce(array_agg(roles.name order by roles.name) filter (where roles.name is not null), '{}')`.as('roles'),
    ])
    .where('users.tenantId', '=', tenantId)
    .groupBy('users.id')
    .orderBy('users.id')
    .execute();
  return rows;
}
