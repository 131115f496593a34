import { describe, expect, it } from 'vitest';
import { allowedTransitions } from '../../src/domain/operations.js';

const canTransition = (from: TenantStatus, to: TenantStatus) => allowedTransitions(from).includes(to);
import { TENANT_STATUSES, TenantStatus } from '../../src/domain/tenant-status.js';
import { TIER_PROFILES } from '../../src/domain/tiers.js';

describe('tenant statuses', () => {
  it('allow the lifecycle of spec/002 and nothing that skips it', () => {
    expect(canTransition(TenantStatus.PROVISIONING, TenantStatus.ACTIVE)).toBe(true);
    expect(canTransition(TenantStatus.PROVISIONING, TenantStatus.FAILED)).toBe(true);
    expect(canTransition(TenantStatus.FAILED, TenantStatus.PROVISIONING)).toBe(true);
    expect(canTransition(TenantStatus.ACTIVE, TenantStatus.SUSPENDED)).toBe(true);
    expect(canTransition(TenantStatus.SUSPENDED, TenantStatus.ACTIVE)).toBe(true);
    expect(canTransition(TenantStatus.SUSPENDED, TenantStatus.DELETING)).toBe(true);
    expect(canTransition(TenantStatus.DELETING, TenantStatus.DELETED)).toBe(true);
    // A half-deleted tenant never shows as ACTIVE again; a deleted one goes nowhere.
    expect(canTransition(TenantStatus.DELETING, TenantStatus.ACTIVE)).toBe(false);
    expect(allowedTransitions(TenantStatus.DELETED)).toEqual([]);
    expect(canTransition(TenantStatus.PROVISIONING, TenantStatus.SUSPENDED)).toBe(false);
  });

  it('every status can reach DELETED or is DELETED', () => {
    for (const status of TENANT_STATUSES) {
      const seen = new Set([status]);
      const queue = [status];
      while (queue.length > 0) {
        for (const next of allowedTransitions(queue.shift()!)) {
          if (!seen.has(next)) {
            seen.add(next);
            queue.push(next);
          }
        }
      }
      expect(seen.has(TenantStatus.DELETED), status).toBe(true);
    }
  });
});

describe('tier table', () => {
  it('holds the quotas of spec/004 with max users from spec/002', () => {
    expect(TIER_PROFILES.FREE.quota).toMatchObject({ cpuRequests: '2', cpuLimits: '4', memoryRequests: '4Gi', memoryLimits: '8Gi', pods: 20, services: 10, persistentVolumeClaims: 5, maxUsers: 5 });
    expect(TIER_PROFILES.PROFESSIONAL.quota).toMatchObject({ cpuRequests: '8', cpuLimits: '16', memoryRequests: '16Gi', memoryLimits: '32Gi', pods: 50, maxUsers: 50 });
    expect(TIER_PROFILES.ENTERPRISE.quota).toMatchObject({ cpuRequests: null, pods: null, maxUsers: null });
    expect(TIER_PROFILES.ENTERPRISE.databaseIsolation).toBe('DATABASE_PER_TENANT');
    expect(TIER_PROFILES.FREE.deploymentType).toBe('SHARED');
  });
});
