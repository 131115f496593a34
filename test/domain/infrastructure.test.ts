import { describe, expect, it } from 'vitest';
import { INFRASTRUCTURE_REPORTED_STATUSES, InfrastructureStatus, reportedStatusOf } from '../../src/domain/infrastructure.js';

describe("spec/000's infrastructure statuses", () => {
  it('reports PROVISIONING for every phase of a provisioning, and the other statuses as they are', () => {
    const reported = Object.fromEntries(Object.values(InfrastructureStatus).map((phase) => [phase, reportedStatusOf(phase)]));
    expect(reported).toEqual({
      REQUESTED: 'PROVISIONING',
      PLANNING: 'PROVISIONING',
      APPLYING: 'PROVISIONING',
      DEPLOYING: 'PROVISIONING',
      CONFIGURING: 'PROVISIONING',
      VERIFYING: 'PROVISIONING',
      ACTIVE: 'ACTIVE',
      UPDATING: 'UPDATING',
      SUSPENDED: 'SUSPENDED',
      DEPROVISIONING: 'DEPROVISIONING',
      DEPROVISIONED: 'DEPROVISIONED',
      FAILED: 'FAILED',
    });
    expect(new Set(Object.values(reported))).toEqual(new Set(INFRASTRUCTURE_REPORTED_STATUSES));
    expect(INFRASTRUCTURE_REPORTED_STATUSES).toEqual(['PROVISIONING', 'ACTIVE', 'UPDATING', 'SUSPENDED', 'DEPROVISIONING', 'DEPROVISIONED', 'FAILED']);
  });
});
