import { describe, expect, it } from 'vitest';
import { infrastructureStatusAfter, infrastructureStatusDuring } from '../../src/domain/infrastructure.js';
import { clampForTier, defaultConfiguration, mergeConfiguration, readConfiguration } from '../../src/domain/infrastructure-configuration.js';
import { ALL_PLANS, StepName, TERMINAL_STEPS, planFor } from '../../src/domain/plans.js';
import { JOB_KINDS, JobKind, rollsBackOnFailure } from '../../src/domain/provisioning.js';
import { TIERS } from '../../src/domain/tiers.js';

const names = (kind: JobKind, tier: 'FREE' | 'PROFESSIONAL' | 'ENTERPRISE') => planFor(tier, kind).steps.map((s) => s.name);

describe('operation plans', () => {
  it('has a plan for every kind and tier, each ending in exactly one terminal step', () => {
    expect(ALL_PLANS).toHaveLength(JOB_KINDS.length * TIERS.length);
    for (const plan of ALL_PLANS) {
      const terminal = plan.steps.filter((s) => TERMINAL_STEPS.has(s.name));
      expect(terminal.map((s) => s.position), `${plan.kind}/${plan.tier}`).toEqual([plan.steps.length - 1]);
      expect(new Set(plan.steps.map((s) => s.name)).size).toBe(plan.steps.length);
    }
  });

  it('deletes in spec/002 order, archive first, record last; Enterprise destroys its Terraform state under the lock', () => {
    expect(names(JobKind.DELETE, 'PROFESSIONAL')).toEqual([
      'ARCHIVE_AUDIT_LOGS', 'DELETE_HELM_RELEASES', 'DELETE_TENANT_DATABASE', 'DELETE_NAMESPACE', 'DELETE_DNS_ZONE', 'DELETE_TENANT_RECORD',
    ]);
    expect(names(JobKind.DELETE, 'ENTERPRISE').slice(-3)).toEqual(['ACQUIRE_TERRAFORM_LOCK', 'DESTROY_INFRASTRUCTURE', 'DELETE_TENANT_RECORD']);
    // Deprovisioning keeps the record and does not archive.
    expect(names(JobKind.DEPROVISION, 'FREE')).toEqual(['DELETE_HELM_RELEASES', 'DELETE_TENANT_DATABASE', 'DELETE_NAMESPACE', 'DELETE_DNS_ZONE', 'COMPLETE']);
  });

  it('converges (update, reconcile) through every resource step of the tier, then VERIFY; no cluster selection, no activation', () => {
    const provision = names(JobKind.PROVISION, 'PROFESSIONAL');
    const update = names(JobKind.UPDATE, 'PROFESSIONAL');
    expect(update).not.toContain(StepName.SELECT_CLUSTER);
    expect(update).not.toContain(StepName.ACTIVATE);
    expect(update.slice(-2)).toEqual(['VERIFY', 'COMPLETE']);
    // Same steps in the same order as provisioning.
    const converging = update.slice(0, -2);
    expect(converging).toEqual(provision.filter((s) => converging.includes(s)));
    expect(converging).toHaveLength(13);
    expect(names(JobKind.RECONCILE, 'ENTERPRISE')).toContain(StepName.PROVISION_INFRASTRUCTURE);
    // Enterprise's custom quota: its update and repair apply it, after the namespace, before the services.
    for (const kind of [JobKind.PROVISION, JobKind.UPDATE, JobKind.RECONCILE]) {
      const enterprise = names(kind, 'ENTERPRISE');
      expect(enterprise.indexOf(StepName.APPLY_QUOTAS), kind).toBeGreaterThan(enterprise.indexOf(StepName.CREATE_NAMESPACE));
      expect(enterprise.indexOf(StepName.APPLY_QUOTAS), kind).toBeLessThan(enterprise.indexOf(StepName.DEPLOY_CORE_SERVICES));
    }
  });

  it('suspends through the workload steps only, and reactivates through them and VERIFY', () => {
    const workloads = ['DEPLOY_CORE_SERVICES', 'DEPLOY_DATA_SERVICES', 'DEPLOY_INGRESS_CONTROLLER', 'DEPLOY_MONITORING'];
    expect(names(JobKind.SUSPEND, 'FREE')).toEqual([...workloads, 'COMPLETE']);
    expect(names(JobKind.REACTIVATE, 'FREE')).toEqual([...workloads, 'VERIFY', 'COMPLETE']);
  });

  it('rolls back provisioning only', () => {
    expect(JOB_KINDS.filter(rollsBackOnFailure)).toEqual([JobKind.PROVISION]);
  });
});

describe('infrastructure status (spec/000)', () => {
  it('walks a provisioning through the seven phases, never backwards', () => {
    let status = infrastructureStatusDuring(JobKind.PROVISION, StepName.SELECT_CLUSTER, 'REQUESTED');
    const seen = [status];
    for (const step of planFor('FREE').steps.slice(4)) {
      const next = step.name === StepName.ACTIVATE ? infrastructureStatusAfter(JobKind.PROVISION, false) : infrastructureStatusDuring(JobKind.PROVISION, step.name, status);
      if (next !== status) seen.push(next);
      status = next;
    }
    expect(seen).toEqual(['PLANNING', 'APPLYING', 'DEPLOYING', 'CONFIGURING', 'VERIFYING', 'ACTIVE']);
  });

  it('maps the other operations', () => {
    expect(infrastructureStatusDuring(JobKind.UPDATE, StepName.APPLY_QUOTAS, 'ACTIVE')).toBe('UPDATING');
    expect(infrastructureStatusDuring(JobKind.DELETE, StepName.DELETE_NAMESPACE, 'ACTIVE')).toBe('DEPROVISIONING');
    expect(infrastructureStatusAfter(JobKind.SUSPEND, true)).toBe('SUSPENDED');
    expect(infrastructureStatusAfter(JobKind.RECONCILE, false)).toBe('ACTIVE');
    expect(infrastructureStatusAfter(JobKind.DEPROVISION, false)).toBe('DEPROVISIONED');
  });
});

describe('infrastructure configuration', () => {
  it('validates every field against the tier and names each problem', () => {
    const { problems } = mergeConfiguration(defaultConfiguration('FREE'), { storageGb: 51, enableHa: true, databaseSize: 'x y', extra: 1 }, 'FREE');
    expect(problems.map((p) => p.field).sort()).toEqual(['configuration.databaseSize', 'configuration.enableHa', 'configuration.extra', 'configuration.storageGb']);
    const ok = mergeConfiguration(defaultConfiguration('PROFESSIONAL'), { storageGb: 200, enableHa: true }, 'PROFESSIONAL');
    expect(ok).toEqual({ configuration: { databaseSize: 'Standard_D2s_v3', storageGb: 200, enableHa: true }, problems: [] });
    expect(mergeConfiguration(defaultConfiguration('FREE'), [1], 'FREE').problems[0]?.field).toBe('configuration');
  });

  it('clamps a configuration carried to a smaller tier, and fills what an old row lacks', () => {
    expect(clampForTier({ databaseSize: 'Standard_D2s_v3', storageGb: 500, enableHa: true }, 'FREE')).toEqual({ databaseSize: 'Standard_D2s_v3', storageGb: 50, enableHa: false });
    expect(readConfiguration({}, 'ENTERPRISE')).toEqual(defaultConfiguration('ENTERPRISE'));
    expect(readConfiguration({ storageGb: 7 }, 'FREE').storageGb).toBe(7);
  });
});
