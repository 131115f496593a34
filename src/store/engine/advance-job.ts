import { type InfrastructureMoveRule, infrastructureMoveDuring } from '../../domain/infrastructure.js';
import type { StepName } from '../../domain/plans.js';
import { type JobKind, JobStatus } from '../../domain/provisioning.js';
import { EventType } from '../../domain/events.js';
import { StepStatus } from '../../domain/progress.js';
import { newId } from '../../domain/ids.js';
import { currentTraceparent } from '../../shared/tracing.js';
import type { Db } from '../open-database.js';
import { preparedStatement } from '../prepared-statement.js';
import type { AuditEntry } from './audit.js';
import { PROGRESS_CHANNEL } from './progress-notices.js';
import { LeaseLostError } from './lease-lost.js';

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
 * Completes a step and starts the next in ONE statement, hence one commit and one round trip (a
 * step's commit is the engine's most frequent write: about fifteen per provisioning, where it
 * was eleven round trips each): the guard (guard.ts's tenant lock and compare-and-set, here as
 * CTEs), the step records, the job's position, the tenant's placement, its provisioning state
 * (phase, outputs and the history counter in one update of the row, with the progress NOTIFY),
 * the history rows, the infrastructure move with its transition, and the step_completed event.
 * Every write is conditional on the guard's row, so a worker that lost the job writes nothing; a
 * crash before the commit re-runs the (idempotent) step; after it, the job resumes at the next step.
 *
 * The statement's snapshot predates the tenant lock it waits for; the rows it changes after the
 * lock (state, infrastructure) are read by UPDATE or FOR UPDATE, which see their latest version.
 */
const ADVANCE_JOB = preparedStatement<ReturnType<typeof valuesOf>, { advanced: number }>(
  (p) => `
with tenant_lock as (
  select 1 as locked from tenants
  where id = (select tenant_id from tenant_provisioning_jobs where id = ${p('jobId')})
  for no key update
), guard as (
  update tenant_provisioning_jobs set
    lease_until = now() + ${p('leaseMs')} * interval '1 millisecond', updated_at = now(),
    current_step = ${p('nextStep')}, current_state = ${p('nextStage')}
  where exists (select 1 from tenant_lock) and id = ${p('jobId')} and lease_owner = ${p('owner')}
    and status = ${p('running')} and current_step = ${p('completedStep')}
  returning id
), steps as (
  update provisioning_steps set
    status = case when name = ${p('completedStep')} then ${p('stepCompleted')} else ${p('stepRunning')} end,
    completed_at = case when name = ${p('completedStep')} then now() else null end,
    started_at = case when name = ${p('completedStep')} then started_at else now() end,
    attempts = case when name = ${p('completedStep')} then attempts else attempts + 1 end,
    outputs = case when name = ${p('completedStep')} then ${p('outputs')}::jsonb else outputs end,
    last_error = case when name = ${p('completedStep')} then null else last_error end
  where exists (select 1 from guard) and job_id = ${p('jobId')} and name in (${p('completedStep')}, ${p('nextStep')})
), placement as (
  update tenants set
    deployment_type = coalesce(${p('deploymentType')}, deployment_type),
    kubernetes_namespace = coalesce(${p('kubernetesNamespace')}, kubernetes_namespace),
    azure_aks_cluster_name = coalesce(${p('azureAksClusterName')}, azure_aks_cluster_name),
    updated_at = now()
  where ${p('placed')}::boolean and exists (select 1 from guard) and id = ${p('tenantId')}
), state as (
  update tenant_provisioning_state set
    current_phase = ${p('nextStage')},
    phase_outputs = phase_outputs || jsonb_build_object(${p('completedStep')}::text, ${p('outputs')}::jsonb),
    last_updated_at = now(),
    event_seq = event_seq + cardinality(${p('auditKinds')}::text[])
  where exists (select 1 from guard) and tenant_id = ${p('tenantId')}
  returning event_seq, pg_notify('${PROGRESS_CHANNEL}', tenant_id::text || ':' || event_seq::text)
), history as (
  insert into provisioning_audit_logs (tenant_id, seq, job_id, kind, from_state, to_state, step, trigger, details, actor)
  select ${p('tenantId')}::uuid, state.event_seq - cardinality(${p('auditKinds')}::text[]) + a.i, ${p('jobId')}::uuid, a.kind, a.from_state, a.to_state, a.step,
    a.trigger, '{}', ${p('owner')}::text
  from state, unnest(${p('auditKinds')}::text[], ${p('auditTriggers')}::text[], ${p('auditFrom')}::text[], ${p('auditTo')}::text[], ${p('auditSteps')}::text[])
    with ordinality as a (kind, trigger, from_state, to_state, step, i)
), infrastructure as (
  select status as from_state,
    case when coalesce(array_position(${p('forwardOrder')}::text[], status), 0) > coalesce(array_position(${p('forwardOrder')}::text[], ${p('phase')}::text), 0)
      then status else ${p('phase')} end as to_state
  from tenant_infrastructure
  where exists (select 1 from guard) and tenant_id = ${p('tenantId')}
  for update
), infrastructure_move as (
  update tenant_infrastructure set status = m.to_state, updated_at = now()
  from infrastructure m
  where tenant_infrastructure.tenant_id = ${p('tenantId')} and m.to_state <> m.from_state
  returning m.from_state, m.to_state
), infrastructure_transition as (
  insert into infrastructure_state_transitions (id, tenant_id, from_state, to_state, trigger, details, job_id)
  select ${p('transitionId')}::uuid, ${p('tenantId')}::uuid, from_state, to_state, 'step.started', ${p('transitionDetails')}::jsonb, ${p('jobId')}::uuid
  from infrastructure_move
), event as (
  insert into outbox (event_id, aggregate_type, aggregate_id, type, payload, trace_parent)
  select ${p('eventId')}::uuid, 'tenant', ${p('tenantId')}::uuid, ${p('eventType')}::text, ${p('payload')}::jsonb, ${p('traceParent')}::text
  where exists (select 1 from guard)
)
select count(*)::int as advanced from guard`,
);

export async function advanceJob(db: Db, input: AdvanceInput): Promise<void> {
  const result = await db.executeQuery(ADVANCE_JOB.compile(valuesOf(input)));
  if (result.rows[0]?.advanced !== 1) throw new LeaseLostError(input.jobId, input.owner);
}

function valuesOf(input: AdvanceInput) {
  const { completed, next } = input;
  const audit: AuditEntry[] = [{ kind: 'STEP', trigger: 'step.completed', step: completed.name, toState: completed.stage, actor: input.owner }];
  if (next.stage !== completed.stage) {
    audit.push({ kind: 'STAGE', trigger: 'stage.completed', fromState: completed.stage, toState: next.stage, actor: input.owner });
    audit.push({ kind: 'STAGE', trigger: 'stage.entered', fromState: completed.stage, toState: next.stage, actor: input.owner });
  }
  audit.push({ kind: 'STEP', trigger: 'step.started', step: next.name, toState: next.stage, actor: input.owner });
  const move: InfrastructureMoveRule = infrastructureMoveDuring(input.kind, next.name);
  const placement = input.placement ?? {};
  return {
    jobId: input.jobId,
    tenantId: input.tenantId,
    owner: input.owner,
    leaseMs: input.leaseMs,
    running: JobStatus.RUNNING,
    completedStep: completed.name,
    nextStep: next.name,
    nextStage: next.stage,
    stepCompleted: StepStatus.COMPLETED,
    stepRunning: StepStatus.RUNNING,
    outputs: JSON.stringify(completed.outputs),
    placed: Object.values(placement).some((v) => v !== undefined),
    deploymentType: placement.deploymentType ?? null,
    kubernetesNamespace: placement.kubernetesNamespace ?? null,
    azureAksClusterName: placement.azureAksClusterName ?? null,
    auditKinds: audit.map((e) => e.kind),
    auditTriggers: audit.map((e) => e.trigger),
    auditFrom: audit.map((e) => e.fromState ?? null),
    auditTo: audit.map((e) => e.toState ?? null),
    auditSteps: audit.map((e) => e.step ?? null),
    phase: move.phase,
    forwardOrder: move.forwardOrder,
    transitionId: newId(),
    transitionDetails: JSON.stringify({ kind: input.kind, step: next.name, stage: next.stage }),
    eventId: newId(),
    eventType: EventType.PROVISIONING_STEP_COMPLETED,
    payload: JSON.stringify({ tenantId: input.tenantId, jobId: input.jobId, step: completed.name, stage: completed.stage, nextStep: next.name }),
    traceParent: currentTraceparent() ?? null,
  };
}
