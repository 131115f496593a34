import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { EventType } from '../../domain/events.js';
import { JobStatus } from '../../domain/provisioning.js';
import * as fixtures from '../../../test/support/store-operations.js';
import { advanceJob } from './advance-job.js';
import { beginRollback } from './begin-rollback.js';
import { LeaseLostError } from './lease-lost.js';

describe('advanceJob', () => {
  const db = fixtures.databasePerTest();

  it('completes the step and starts the next in one commit: outputs, position, history, infrastructure and the event', async () => {
    const created = await fixtures.newTenant(db());
    const job = await fixtures.claim(db(), 'worker-a');
    const eventsBefore = (await fixtures.eventsOf(db(), created.tenant.id)).length;

    await advanceJob(db(), {
      jobId: job.id,
      tenantId: job.tenantId,
      owner: 'worker-a',
      leaseMs: fixtures.LEASE_MS,
      kind: job.kind,
      completed: { name: 'SELECT_CLUSTER', stage: 'ALLOCATING_SHARED_CLUSTER', outputs: { cluster: 'shared-eastus-1' } },
      next: { name: 'CREATE_NAMESPACE', stage: 'ALLOCATING_SHARED_CLUSTER' },
      placement: { deploymentType: 'SHARED', azureAksClusterName: 'shared-eastus-1' },
    });

    expect(await fixtures.jobRow(db(), job.id)).toMatchObject({ status: JobStatus.RUNNING, currentStep: 'CREATE_NAMESPACE', currentState: 'ALLOCATING_SHARED_CLUSTER', leaseOwner: 'worker-a' });
    const steps = await fixtures.stepRows(db(), job.id);
    expect(steps.get('SELECT_CLUSTER')).toMatchObject({ status: 'COMPLETED', outputs: { cluster: 'shared-eastus-1' }, lastError: null });
    expect(steps.get('SELECT_CLUSTER')?.completedAt).not.toBeNull();
    expect(steps.get('CREATE_NAMESPACE')).toMatchObject({ status: 'RUNNING', attempts: 1 });
    expect(await fixtures.provisioningState(db(), created.tenant.id)).toMatchObject({ currentPhase: 'ALLOCATING_SHARED_CLUSTER', phaseOutputs: { SELECT_CLUSTER: { cluster: 'shared-eastus-1' } } });
    expect(await fixtures.tenantRow(db(), created.tenant.id)).toMatchObject({ deploymentType: 'SHARED', azureAksClusterName: 'shared-eastus-1' });
    expect((await fixtures.infrastructureRow(db(), created.tenant.id)).status).toBe('APPLYING');

    const history = (await fixtures.historyOf(db(), created.tenant.id, job.id)).slice(-2);
    expect(history.map((h) => [h.trigger, h.step])).toEqual([
      ['step.completed', 'SELECT_CLUSTER'],
      ['step.started', 'CREATE_NAMESPACE'],
    ]);
    const events = await fixtures.eventsOf(db(), created.tenant.id);
    expect(events).toHaveLength(eventsBefore + 1);
    expect(events.at(-1)).toMatchObject({ type: EventType.PROVISIONING_STEP_COMPLETED, payload: { jobId: job.id, step: 'SELECT_CLUSTER', nextStep: 'CREATE_NAMESPACE' } });
  });

  it('is one round trip (one statement is its own transaction) that leaves a further infrastructure phase where it is', async () => {
    const created = await fixtures.newTenant(db());
    const job = await fixtures.claim(db(), 'worker-a');
    await fixtures.advanceTo(db(), job, 'worker-a', 'CREATE_NAMESPACE');
    const transitions = () =>
      db().selectFrom('infrastructureStateTransitions').select(['fromState', 'toState', 'trigger', 'details']).where('tenantId', '=', created.tenant.id).orderBy('seq').execute();
    // Moved into APPLYING when CREATE_NAMESPACE started, with the step in the transition.
    expect((await transitions()).at(-1)).toMatchObject({ fromState: 'PLANNING', toState: 'APPLYING', trigger: 'step.started', details: { step: 'CREATE_NAMESPACE' } });

    // A provisioning keeps the furthest phase reached: a record already DEPLOYING stays there at APPLY_QUOTAS (APPLYING).
    await db().updateTable('tenantInfrastructure').set({ status: 'DEPLOYING' }).where('tenantId', '=', created.tenant.id).execute();
    const before = (await transitions()).length;
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    try {
      await fixtures.advance(db(), job, 'worker-a', { namespace: 'matih-x' });
      expect(sent).toHaveBeenCalledTimes(1);
    } finally {
      sent.mockRestore();
    }
    expect((await fixtures.infrastructureRow(db(), created.tenant.id)).status).toBe('DEPLOYING');
    expect(await transitions()).toHaveLength(before);
    expect((await fixtures.jobRow(db(), job.id)).currentStep).toBe('APPLY_QUOTAS');
  });

  it('records leaving a stage and entering the next when the next step is in another stage', async () => {
    const created = await fixtures.newTenant(db());
    const job = await fixtures.claim(db(), 'worker-a');
    await fixtures.advanceTo(db(), job, 'worker-a', 'CREATE_NAMESPACE');
    await fixtures.advance(db(), job, 'worker-a', { namespace: 'matih-x' });

    expect(await fixtures.jobRow(db(), job.id)).toMatchObject({ currentStep: 'APPLY_QUOTAS', currentState: 'CONFIGURING_QUOTAS' });
    const history = (await fixtures.historyOf(db(), created.tenant.id, job.id)).slice(-4);
    expect(history.map((h) => [h.trigger, h.fromState, h.toState])).toEqual([
      ['step.completed', null, 'ALLOCATING_SHARED_CLUSTER'],
      ['stage.completed', 'ALLOCATING_SHARED_CLUSTER', 'CONFIGURING_QUOTAS'],
      ['stage.entered', 'ALLOCATING_SHARED_CLUSTER', 'CONFIGURING_QUOTAS'],
      ['step.started', null, 'CONFIGURING_QUOTAS'],
    ]);
    // The outputs of every step accumulate on the tenant's provisioning state.
    expect((await fixtures.provisioningState(db(), created.tenant.id)).phaseOutputs).toMatchObject({ SELECT_CLUSTER: {}, CREATE_NAMESPACE: { namespace: 'matih-x' } });
  });

  it('extends the lease it holds', async () => {
    await fixtures.newTenant(db());
    const job = await fixtures.claim(db(), 'worker-a', 2_000);
    const leased = (await fixtures.jobRow(db(), job.id)).leaseUntil!;
    await fixtures.sleep(50);
    await fixtures.advance(db(), job, 'worker-a', {}, fixtures.LEASE_MS);
    expect((await fixtures.jobRow(db(), job.id)).leaseUntil!.getTime()).toBeGreaterThan(leased.getTime() + fixtures.LEASE_MS / 2);
  });

  it('changes nothing and throws LeaseLostError for a worker that lost its lease to another', async () => {
    const created = await fixtures.newTenant(db());
    const stale = await fixtures.claim(db(), 'worker-a', 200);
    await fixtures.sleep(350);
    const fresh = await fixtures.claim(db(), 'worker-b');
    expect(fresh.id).toBe(stale.id);

    const before = await fixtures.tenantSnapshot(db(), created.tenant.id);
    await expect(fixtures.advance(db(), stale, 'worker-a', { cluster: 'from-a-dead-worker' })).rejects.toBeInstanceOf(LeaseLostError);
    expect(await fixtures.tenantSnapshot(db(), created.tenant.id)).toEqual(before);

    // The holder goes on from the same step.
    await fixtures.advance(db(), fresh, 'worker-b', { cluster: 'from-b' });
    expect((await fixtures.stepRows(db(), fresh.id)).get('SELECT_CLUSTER')?.outputs).toEqual({ cluster: 'from-b' });
  });

  it('refuses to complete a step the job is no longer at (a repeated commit) and changes nothing', async () => {
    const created = await fixtures.newTenant(db());
    const job = await fixtures.claim(db(), 'worker-a');
    const input = {
      jobId: job.id,
      tenantId: job.tenantId,
      owner: 'worker-a',
      leaseMs: fixtures.LEASE_MS,
      kind: job.kind,
      completed: { name: 'SELECT_CLUSTER', stage: 'ALLOCATING_SHARED_CLUSTER', outputs: { n: 1 } },
      next: { name: 'CREATE_NAMESPACE' as const, stage: 'ALLOCATING_SHARED_CLUSTER' },
    };
    await advanceJob(db(), input);
    const before = await fixtures.tenantSnapshot(db(), created.tenant.id);
    await expect(advanceJob(db(), { ...input, completed: { ...input.completed, outputs: { n: 2 } } })).rejects.toBeInstanceOf(LeaseLostError);
    expect(await fixtures.tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });

  it('refuses to go forward on a job that is rolling back', async () => {
    const created = await fixtures.newTenant(db());
    const job = await fixtures.claim(db(), 'worker-a');
    await beginRollback(db(), { jobId: job.id, tenantId: job.tenantId, owner: 'worker-a', leaseMs: fixtures.LEASE_MS, step: 'SELECT_CLUSTER', reason: 'no', trigger: 'step.failed_permanently' });
    const before = await fixtures.tenantSnapshot(db(), created.tenant.id);
    await expect(fixtures.advance(db(), job, 'worker-a')).rejects.toBeInstanceOf(LeaseLostError);
    expect(await fixtures.tenantSnapshot(db(), created.tenant.id)).toEqual(before);
  });

  it('writes nothing at all when the commit fails part-way (the position does not move without the outputs)', async () => {
    const created = await fixtures.newTenant(db());
    const job = await fixtures.claim(db(), 'worker-a');
    const before = await fixtures.tenantSnapshot(db(), created.tenant.id);
    // Outputs that cannot be stored: the failure comes after the compare-and-set moved the job.
    await expect(fixtures.advance(db(), job, 'worker-a', { size: 10n })).rejects.toThrow();
    expect(await fixtures.tenantSnapshot(db(), created.tenant.id)).toEqual(before);
    expect((await fixtures.jobRow(db(), job.id)).currentStep).toBe('SELECT_CLUSTER');
  });
});
