/** Tenant statuses (spec/002, spec/003); the moves between them are operations.ts's table. */
export const TenantStatus = {
  PROVISIONING: 'PROVISIONING',
  ACTIVE: 'ACTIVE',
  FAILED: 'FAILED',
  SUSPENDED: 'SUSPENDED',
  DELETING: 'DELETING',
  DELETED: 'DELETED',
  /** spec/000 deprovision: the infrastructure is being torn down, or is gone; the record stays. */
  DEPROVISIONING: 'DEPROVISIONING',
  DEPROVISIONED: 'DEPROVISIONED',
} as const;
export type TenantStatus = (typeof TenantStatus)[keyof typeof TenantStatus];
export const TENANT_STATUSES: readonly TenantStatus[] = Object.values(TenantStatus);

export function parseTenantStatus(value: string): TenantStatus | undefined {
  const upper = value.trim().toUpperCase();
  return (TENANT_STATUSES as readonly string[]).includes(upper) ? (upper as TenantStatus) : undefined;
}
