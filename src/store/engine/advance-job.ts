import { sql } from 'kysely';
import { infrastructureStatusDuring } from '../../domain/infrastructure.js';
import type { StepName } from '../../domain/plans.js';
import { type JobKind, JobStatus } from '../../domain/provisioning.js';
import { moveInfrastructure } from '../infrastructure/move-infrastructure.js';
import { EventType } from '../../domain/events.js';
import { StepStatus } from '../../domain/progress.js';
import type { Db } from '../open-database.js';
import { appendEvent } from '../outbox/append-event.js';
import { type AuditEntry, appendAudit } from './audit.js';
import { guardJob } from './guard.js';

export interface AdvanceInput {
  jobId: string;
  tenantId: string;
  owner: string;
  leaseMs: number;
  kind: JobKind;
  completed: { name: string; stage: string; outputs: Record<string, unknown> };
  next: { name: StepName; stage: string };
  /** Tenant record fields the step filled in (namespace, deployment type, cluster). */
  placement?: { deploymentType?: string; kubernetesNamespace?: string; azureAksClusterName?: string } | undefined;
}

/**
 * Completes a step and starts the next in ONE commit: step records, job position, the tenant's
 * provisioning state and phase outputs, audit rows and the step_completed event. A crash before
 * the commit re-runs the (idempotent) step; after it, the job resumes at the next step.
 */
export async function advanceJob(db: Db, input: AdvanceInput): Promise<void> {
  const { completed, next } = input;
  await db.transaction().execute(async (trx) => {
    await guardJob(trx, { jobId: input.jobId, owner: input.owner, status: JobStatus.RUNNING, step: completed.name }, input.leaseMs, {
      currentStep: next.name,
      currentState: next.stage,
    });
    await sql`
      update provisioning_steps set
        status = case when name = ${completed.name} then ${StepStatus.COMPLETED} else ${StepStatus.RUNNING} end,
        completed_at = case when name = ${completed.name} then now() else null end,
        started_at = case when name = ${completed.name} then started_at else now() end,
        attempts = case when name = ${completed.name} then attempts else attempts + 1 end,
        outputs = case when name = ${completed.name} then ${JSON.stringify(completed.outputs)}::jsonb else outputs end,
        last_error = case when name = ${completed.name} then null else last_error end
      where job_id = ${input.jobId} and name in (${completed.name}, ${next.name})`.execute(trx);
    if (input.placement && Object.keys(input.placement).length > 0) {
      await trx.updateTable('tenants').set({ ...input.placement, updatedAt: new Date() }).where('id', '=', input.tenantId).execute();
    }
    await trx
      .updateTable('tenantProvisioningState')
      .set({
        currentPhase: next.stage,
        phaseOutputs: sql`phase_outputs || ${JSON.stringify({ [completed.name]: completed.outputs })}::jsonb`,
        lastUpdatedAt: sql<Date>`now()`,
      })
      .where('tenantId', '=', input.tenantId)
      .execute();
    const audit: AuditEntry[] = [{ kind: 'STEP', trigger: 'step.completed', step: completed.name, toState: completed.stage, actor: input.owner }];
    if (next.stage !== completed.stage) {
      audit.push({ kind: 'STAGE', trigger: 'stage.completed', fromState: completed.stage, toState: next.stage, actor: input.owner });
      audit.push({ kind: 'STAGE', trigger: 'stage.entered', fromState: completed.stage, toState: next.stage, actor: input.owner });
    }
    audit.push({ kind: 'STEP', trigger: 'step.started', step: next.name, toState: next.stage, actor: input.owner });
    await appendAudit(trx, input.tenantId, input.jobId, audit);
    await moveInfrastructure(trx, {
      tenantId: input.tenantId,
      to: (current) => infrastructureStatusDuring(input.kind, next.name, current),
      trigger: 'step.started',
      jobId: input.jobId,
      details: { kind: input.kind, step: next.name, stage: next.stage },
    });
    await appendEvent(trx, input.tenantId, EventType.PROVISIONING_STEP_COMPLETED, { tenantId: input.tenantId, jobId: input.jobId, step: completed.name, stage: completed.stage, nextStep: next.name });
  });
}
