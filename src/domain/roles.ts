/**
 * Who may do what. `platform_admin` acts on every tenant; the three tenant roles of spec/003
 * act on their own tenant only.
 */
export const Permission = {
  TENANT_READ: 'tenant:read',
  TENANT_WRITE: 'tenant:write',
  SETTINGS_READ: 'settings:read',
  SETTINGS_WRITE: 'settings:write',
  USERS_READ: 'users:read',
  USERS_WRITE: 'users:write',
  ROLES_READ: 'roles:read',
  API_KEYS_READ: 'api-keys:read',
  API_KEYS_WRITE: 'api-keys:write',
  DATA_QUERY: 'data:query',
  DATA_WRITE: 'data:write',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

export const TenantRole = {
  ADMIN: 'Admin',
  ANALYST: 'Analyst',
  VIEWER: 'Viewer',
} as const;
export type TenantRole = (typeof TenantRole)[keyof typeof TenantRole];
export const TENANT_ROLES: readonly TenantRole[] = Object.values(TenantRole);

export const PLATFORM_ADMIN = 'platform_admin';
export type PrincipalRole = TenantRole | typeof PLATFORM_ADMIN;

export interface RoleDefinition {
  name: TenantRole;
  description: string;
  permissions: readonly Permission[];
}

export const DEFAULT_ROLES: readonly RoleDefinition[] = [
  {
    name: TenantRole.ADMIN,
    description: 'Full control of the tenant: settings, users, roles and API keys',
    permissions: Object.values(Permission),
  },
  {
    name: TenantRole.ANALYST,
    description: 'Queries and builds analytics; reads settings and users',
    permissions: [
      Permission.TENANT_READ, Permission.SETTINGS_READ, Permission.USERS_READ, Permission.ROLES_READ,
      Permission.DATA_QUERY, Permission.DATA_WRITE,
    ],
  },
  {
    name: TenantRole.VIEWER,
    description: 'Reads dashboards and the tenant record',
    permissions: [Permission.TENANT_READ, Permission.SETTINGS_READ, Permission.DATA_QUERY],
  },
];

export function permissionsOf(role: TenantRole): readonly Permission[] {
  return DEFAULT_ROLES.find((r) => r.name === role)?.permissions ?? [];
}

export function isTenantRole(value: string): value is TenantRole {
  return (TENANT_ROLES as readonly string[]).includes(value);
}
