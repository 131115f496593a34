import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/domain/errors.js';
import { failureOf, successOf } from '../../src/domain/job-outcomes.js';
import { OPERATION_RULES, admit, mayStart, provisionRequestKind, statusOnRetry } from '../../src/domain/operations.js';
import { JOB_KINDS, JobKind } from '../../src/domain/provisioning.js';
import { TENANT_STATUSES, TenantStatus } from '../../src/domain/tenant-status.js';

/** The lifecycle table, asked the way the store asks it for every request. */
describe('the lifecycle table', () => {
  const T = TenantStatus;

  it('answers every operation from every status with exactly one of start, done, under way or a 409', () => {
    const answers: Record<string, Record<string, string>> = {};
    for (const kind of JOB_KINDS) {
      answers[kind] = {};
      for (const status of TENANT_STATUSES) {
        const a = admit(kind, status);
        answers[kind][status] = typeof a === 'string' ? a : a.refused.code;
      }
    }
    expect(answers).toEqual({
      PROVISION: { PROVISIONING: 'tenant_not_active', ACTIVE: 'tenant_not_active', FAILED: 'start', SUSPENDED: 'tenant_suspended', DELETING: 'tenant_not_active', DELETED: 'tenant_not_active', DEPROVISIONING: 'tenant_not_active', DEPROVISIONED: 'start' },
      UPDATE: { PROVISIONING: 'tenant_not_active', ACTIVE: 'start', FAILED: 'tenant_not_active', SUSPENDED: 'tenant_suspended', DELETING: 'tenant_not_active', DELETED: 'tenant_not_active', DEPROVISIONING: 'tenant_not_active', DEPROVISIONED: 'tenant_not_active' },
      RECONCILE: { PROVISIONING: 'tenant_not_active', ACTIVE: 'start', FAILED: 'tenant_not_active', SUSPENDED: 'start', DELETING: 'tenant_not_active', DELETED: 'tenant_not_active', DEPROVISIONING: 'tenant_not_active', DEPROVISIONED: 'tenant_not_active' },
      SUSPEND: { PROVISIONING: 'tenant_not_active', ACTIVE: 'start', FAILED: 'tenant_not_active', SUSPENDED: 'done', DELETING: 'tenant_not_active', DELETED: 'tenant_not_active', DEPROVISIONING: 'tenant_not_active', DEPROVISIONED: 'tenant_not_active' },
      REACTIVATE: { PROVISIONING: 'tenant_not_suspended', ACTIVE: 'done', FAILED: 'tenant_not_suspended', SUSPENDED: 'start', DELETING: 'tenant_not_suspended', DELETED: 'tenant_not_suspended', DEPROVISIONING: 'tenant_not_suspended', DEPROVISIONED: 'tenant_not_suspended' },
      DEPROVISION: { PROVISIONING: 'tenant_not_active', ACTIVE: 'start', FAILED: 'start', SUSPENDED: 'start', DELETING: 'tenant_not_active', DELETED: 'tenant_not_active', DEPROVISIONING: 'under-way', DEPROVISIONED: 'done' },
      DELETE: { PROVISIONING: 'start', ACTIVE: 'start', FAILED: 'start', SUSPENDED: 'start', DELETING: 'under-way', DELETED: 'already_deleting', DEPROVISIONING: 'start', DEPROVISIONED: 'start' },
    });
  });

  it('names the operation and the status in its refusals, on the status field', () => {
    const refused = admit(JobKind.SUSPEND, T.FAILED);
    expect(refused).toEqual({ refused: expect.any(ConflictError) as unknown });
    if (typeof refused === 'string') throw new Error('not refused');
    expect(refused.refused).toMatchObject({ field: 'status', message: 'only an ACTIVE tenant can be suspended; this one is FAILED' });
    // The provision request refuses in its own words, whichever job kind it would have been.
    const provision = admit(JobKind.PROVISION, T.SUSPENDED, 'provision');
    expect(typeof provision === 'string' ? provision : provision.refused.message).toBe('the tenant is SUSPENDED: reactivate it first');
  });

  it('makes a provision request an update for a live tenant and a provisioning for one without infrastructure', () => {
    expect(provisionRequestKind(T.ACTIVE)).toBe(JobKind.UPDATE);
    expect(provisionRequestKind(T.DEPROVISIONED)).toBe(JobKind.PROVISION);
    expect(provisionRequestKind(T.FAILED)).toBe(JobKind.PROVISION);
  });

  it('lets the reconciler repair only tenants with infrastructure to repair', () => {
    expect(TENANT_STATUSES.filter((s) => mayStart(JobKind.RECONCILE, s))).toEqual([T.ACTIVE, T.SUSPENDED]);
  });

  it('puts a retried provisioning back to PROVISIONING and leaves any other retried operation alone', () => {
    expect(statusOnRetry(JobKind.PROVISION)).toBe(T.PROVISIONING);
    for (const kind of JOB_KINDS.filter((k) => k !== JobKind.PROVISION)) expect(statusOnRetry(kind), kind).toBeUndefined();
  });

  it('has a code for a stopped job wherever an operation can be under way', () => {
    for (const kind of JOB_KINDS) expect(OPERATION_RULES[kind].underWayAt === undefined, kind).toBe(OPERATION_RULES[kind].stopped === undefined);
  });
});

describe('job outcomes', () => {
  it('end each operation in the status the table gives it, and only a provisioning activates the tenant', () => {
    const ends = Object.fromEntries(JOB_KINDS.map((k) => [k, successOf(k).tenantStatus ?? 'unchanged']));
    expect(ends).toEqual({ PROVISION: 'ACTIVE', UPDATE: 'ACTIVE', RECONCILE: 'unchanged', SUSPEND: 'unchanged', REACTIVATE: 'ACTIVE', DEPROVISION: 'DEPROVISIONED', DELETE: 'DELETED' });
    expect(JOB_KINDS.filter((k) => successOf(k).activatesTenant)).toEqual([JobKind.PROVISION]);
    expect(JOB_KINDS.filter((k) => successOf(k).keepsReceipt)).toEqual([JobKind.DELETE, JobKind.DEPROVISION]);
  });

  it('make only a failed provisioning FAILED, and then only while it is still provisioning', () => {
    expect(failureOf(JobKind.PROVISION)).toMatchObject({ tenantStatus: TenantStatus.FAILED, tenantStatusFrom: TenantStatus.PROVISIONING });
    for (const kind of JOB_KINDS.filter((k) => k !== JobKind.PROVISION)) expect(failureOf(kind).tenantStatus, kind).toBeUndefined();
  });

  it('say nothing of a repair that changed nothing, and what was repaired otherwise', () => {
    const facts = (outputs: Record<string, Record<string, unknown>>) => ({
      jobId: 'j', tenantId: 't', generation: 3, configuration: {} as never, outputs, receipt: {}, durationMs: 1,
      tenant: { slug: 's', name: 'n', adminEmail: 'a@b.c', tier: 'FREE' } as never,
    });
    expect(successOf(JobKind.RECONCILE).event(facts({ CREATE_NAMESPACE: { applied: [] } }))).toBeNull();
    expect(successOf(JobKind.RECONCILE).event(facts({ CREATE_NAMESPACE: { applied: ['NetworkPolicy/allow-dns'], observed: 4 } }))).toEqual({
      type: 'drift.repaired',
      payload: { tenantId: 't', jobId: 'j', generation: 3, repaired: { CREATE_NAMESPACE: { applied: ['NetworkPolicy/allow-dns'] } } },
    });
  });
});
