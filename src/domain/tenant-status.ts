/** Tenant statuses (spec/002, spec/003) and the only moves between them. */
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

const ALLOWED: Readonly<Record<TenantStatus, readonly TenantStatus[]>> = {
  // Provisioning ends ACTIVE or FAILED; a stuck or unwanted tenant can be deleted.
  PROVISIONING: [TenantStatus.ACTIVE, TenantStatus.FAILED, TenantStatus.DELETING],
  // A failed provisioning can be retried (back to PROVISIONING) or given up (DELETING).
  FAILED: [TenantStatus.PROVISIONING, TenantStatus.DELETING, TenantStatus.DEPROVISIONING],
  ACTIVE: [TenantStatus.SUSPENDED, TenantStatus.DELETING, TenantStatus.PROVISIONING, TenantStatus.DEPROVISIONING],
  SUSPENDED: [TenantStatus.ACTIVE, TenantStatus.DELETING, TenantStatus.DEPROVISIONING],
  // A deletion that fails part-way stays DELETING and resumes; it never goes back to ACTIVE.
  DELETING: [TenantStatus.DELETED],
  DELETED: [],
  // Deprovisioning resumes like a deletion; a deprovisioned tenant can be provisioned again or deleted.
  DEPROVISIONING: [TenantStatus.DEPROVISIONED],
  DEPROVISIONED: [TenantStatus.PROVISIONING, TenantStatus.DELETING],
};

export function canTransition(from: TenantStatus, to: TenantStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function allowedTransitions(from: TenantStatus): readonly TenantStatus[] {
  return ALLOWED[from];
}

export function parseTenantStatus(value: string): TenantStatus | undefined {
  const upper = value.trim().toUpperCase();
  return (TENANT_STATUSES as readonly string[]).includes(upper) ? (upper as TenantStatus) : undefined;
}
