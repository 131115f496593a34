import type { CompiledQuery } from 'kysely';
import { DEFAULT_BILLING_PLANS, initialSubscriptionStatus } from '../../domain/billing.js';
import { EventType } from '../../domain/events.js';
import { newId } from '../../domain/ids.js';
import { planFor } from '../../domain/plans.js';
import { DEFAULT_MAX_RETRIES, JobKind, JobStatus, ProvisioningState, ProvisioningStatus } from '../../domain/provisioning.js';
import { DEFAULT_ROLES, TenantRole } from '../../domain/roles.js';
import { defaultSettings } from '../../domain/settings.js';
import { InfrastructureStatus, terraformStateKeyOf } from '../../domain/infrastructure.js';
import { defaultConfiguration } from '../../domain/infrastructure-configuration.js';
import { type NewTenant, type Tenant, namespaceFor } from '../../domain/tenant.js';
import { DeploymentType, TIER_PROFILES } from '../../domain/tiers.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import { currentTraceparent } from '../../shared/tracing.js';
import { firstStepOf, planStepRows } from '../engine/plan-step-rows.js';
import { preparedStatement } from '../prepared-statement.js';
import { toTenant } from './tenant-row.js';

/** What one create writes, decided before the statement runs (the ids are kept for a retry). */
export interface CreateTenantFacts {
  tenant: NewTenant;
  actor: string;
  apiKey: { id: string; secretHash: string };
  maxRetries: number | undefined;
  ids: { tenantId: string; adminUserId: string; jobId: string };
  now: Date;
}

const SYNCHRONOUS_STAGES = [ProvisioningState.VALIDATING_INPUT, ProvisioningState.CREATING_TENANT_RECORD];

/**
 * spec/003 "Control Plane Tier" in one statement of data-modifying CTEs: the tenant record, admin
 * user, billing subscription, default roles, default settings, initial API key, the pending job
 * with its steps, the declaration, the infrastructure record and its first transition, the
 * provisioning state with the synchronous stages in its history, and the tenant.created event.
 * One statement is one transaction by itself (all of it or none of it) and one round trip; the
 * foreign keys between its rows are checked at its end. The rows of a set (roles, steps, history)
 * come as arrays, so the text is the same for every tier and is prepared once per session. It
 * returns nothing: every value of the tenant row is decided here (created_at is `now`, not the
 * server's clock), so the row is known without reading it back.
 */
const CREATE_TENANT = preparedStatement<ReturnType<typeof valuesOf>>(
  (p) => `
with tenant as (
  insert into tenants (id, name, slug, tier, status, region, cloud_provider, admin_email, deployment_type, kubernetes_namespace,
    azure_aks_cluster_name, provisioning_started_at, provisioning_completed_at, provisioning_error, created_at, updated_at)
  values (${p('tenantId')}, ${p('name')}, ${p('slug')}, ${p('tier')}, ${p('status')}, ${p('region')}, ${p('cloudProvider')}, ${p('adminEmail')},
    null, null, null, ${p('now')}, null, null, ${p('now')}, ${p('now')})
), admin_user as (
  insert into users (id, tenant_id, email, display_name, status, is_tenant_admin)
  values (${p('adminUserId')}, ${p('tenantId')}, ${p('adminEmail')}, null, ${p('adminStatus')}, true)
), billing_subscription as (
  insert into billing_subscriptions (id, tenant_id, plan_id, status, started_at, trial_ends_at, current_period_end)
  values (${p('subscriptionId')}, ${p('tenantId')}, ${p('planId')}, ${p('subscriptionStatus')}, ${p('now')}, ${p('trialEndsAt')}, ${p('currentPeriodEnd')})
), default_roles as (
  insert into roles (id, tenant_id, name, description, permissions, is_system)
  select r.id, ${p('tenantId')}, r.name, r.description, r.permissions, true
  from unnest(${p('roleIds')}::uuid[], ${p('roleNames')}::text[], ${p('roleDescriptions')}::text[], ${p('rolePermissions')}::jsonb[])
    as r (id, name, description, permissions)
), admin_role as (
  insert into user_roles (user_id, role_id) values (${p('adminUserId')}, ${p('adminRoleId')})
), settings as (
  insert into tenant_settings (tenant_id, settings, version, updated_by) values (${p('tenantId')}, ${p('settings')}, 1, ${p('actor')})
), api_key as (
  insert into api_keys (id, tenant_id, user_id, name, role, secret_hash, created_by, expires_at, last_used_at, revoked_at)
  values (${p('apiKeyId')}, ${p('tenantId')}, ${p('adminUserId')}, ${p('apiKeyName')}, ${p('apiKeyRole')}, ${p('secretHash')}, ${p('actor')}, null, null, null)
), provisioning_job as (
  insert into tenant_provisioning_jobs (id, tenant_id, kind, tier, current_state, current_step, status, initiated_by, started_at,
    completed_at, error_message, max_retries, next_retry_at, context, trace_parent)
  values (${p('jobId')}, ${p('tenantId')}, ${p('jobKind')}, ${p('tier')}, ${p('currentState')}, ${p('currentStep')}, ${p('jobStatus')}, ${p('actor')}, null,
    null, null, ${p('maxRetries')}, null, ${p('jobContext')}, ${p('traceParent')})
), provisioning_steps as (
  insert into provisioning_steps (job_id, name, stage, position, status, attempts, started_at, completed_at, last_error, outputs)
  select ${p('jobId')}, s.name, s.stage, s.position, s.status, s.attempts, s.done_at, s.done_at, null, '{}'
  from unnest(${p('stepNames')}::text[], ${p('stepStages')}::text[], ${p('stepPositions')}::int[], ${p('stepStatuses')}::text[],
    ${p('stepAttempts')}::int[], ${p('stepDoneAt')}::timestamptz[]) as s (name, stage, position, status, attempts, done_at)
), desired_state as (
  insert into desired_infrastructure_state (tenant_id, tier, region, cloud_provider, configuration, suspended, generation, observed_generation, updated_by)
  values (${p('tenantId')}, ${p('tier')}, ${p('region')}, ${p('cloudProvider')}, ${p('configuration')}, false, 1, 0, ${p('actor')})
), infrastructure as (
  insert into tenant_infrastructure (id, tenant_id, status, cloud_provider, region, namespace, configuration, terraform_state_key)
  values (${p('infrastructureId')}, ${p('tenantId')}, ${p('infrastructureStatus')}, ${p('cloudProvider')}, ${p('region')}, ${p('namespace')}, '{}', ${p('terraformStateKey')})
), infrastructure_transition as (
  insert into infrastructure_state_transitions (id, tenant_id, from_state, to_state, trigger, details, job_id)
  values (${p('transitionId')}, ${p('tenantId')}, null, ${p('infrastructureStatus')}, ${p('transitionTrigger')}, ${p('transitionDetails')}, ${p('jobId')})
), provisioning_state as (
  insert into tenant_provisioning_state (tenant_id, job_id, current_phase, status, failure_reason, phase_outputs, started_at,
    last_updated_at, retry_count, event_seq)
  values (${p('tenantId')}, ${p('jobId')}, ${p('currentState')}, ${p('provisioningStatus')}, null, '{}', ${p('now')}, ${p('now')}, 0, ${p('eventSeq')})
), history as (
  insert into provisioning_audit_logs (tenant_id, seq, job_id, kind, from_state, to_state, step, trigger, details, actor)
  select ${p('tenantId')}, h.seq, ${p('jobId')}, ${p('historyKind')}, h.from_state, h.to_state, null, ${p('historyTrigger')}, ${p('historyDetails')}, ${p('actor')}
  from unnest(${p('historySeqs')}::int[], ${p('historyFrom')}::text[], ${p('historyTo')}::text[]) as h (seq, from_state, to_state)
)
insert into outbox (event_id, aggregate_type, aggregate_id, type, payload, trace_parent)
values (${p('eventId')}, 'tenant', ${p('tenantId')}, ${p('eventType')}, ${p('payload')}, ${p('traceParent')})`,
);

/** The statement of one create, and the tenant as it writes it (what the event carries and the caller gets). */
export function createTenantQuery(facts: CreateTenantFacts): { query: CompiledQuery; tenant: Tenant } {
  const values = valuesOf(facts);
  return { query: CREATE_TENANT.compile(values), tenant: values.written };
}

function valuesOf({ tenant: t, actor, apiKey, maxRetries, ids, now }: CreateTenantFacts) {
  const { tenantId, adminUserId, jobId } = ids;
  const plan = DEFAULT_BILLING_PLANS[t.tier];
  const trialEndsAt = plan.trialDays > 0 ? new Date(now.getTime() + plan.trialDays * 86_400_000) : null;
  const roleIds = DEFAULT_ROLES.map(() => newId());
  const adminRoleId = roleIds[DEFAULT_ROLES.findIndex((r) => r.name === TenantRole.ADMIN)];
  if (adminRoleId === undefined) throw new Error('the default roles have no Admin role');
  const provisioningPlan = planFor(t.tier, JobKind.PROVISION);
  // The job's plan, its synchronous steps done as of the tenant's creation.
  const steps = planStepRows(jobId, provisioningPlan, now);
  // The tenant's own columns, parameters of the statement under the same names.
  const columns = {
    name: t.name,
    slug: t.slug,
    tier: t.tier,
    status: TenantStatus.PROVISIONING,
    region: t.region,
    cloudProvider: t.cloudProvider,
    adminEmail: t.adminEmail,
  };
  // The row as the statement writes it, every column (a column left to its default would not be known here).
  const written = toTenant({
    id: tenantId,
    ...columns,
    // spec/003: these are set by the data-plane tier once a cluster is chosen.
    deploymentType: null,
    kubernetesNamespace: null,
    azureAksClusterName: null,
    provisioningStartedAt: now,
    provisioningCompletedAt: null,
    provisioningError: null,
    tokensValidAfter: null,
    deletedAt: null,
    createdAt: now,
    updatedAt: now,
  });
  return {
    written,
    tenantId,
    ...columns,
    now,
    adminUserId,
    // The admin becomes ACTIVE in IAM at the ACTIVATE step (spec/002 phase 8).
    adminStatus: 'PENDING_ACTIVATION',
    subscriptionId: newId(),
    planId: plan.id,
    subscriptionStatus: initialSubscriptionStatus(plan),
    trialEndsAt,
    currentPeriodEnd: trialEndsAt ?? addMonths(now, 1),
    roleIds,
    roleNames: DEFAULT_ROLES.map((r) => r.name),
    roleDescriptions: DEFAULT_ROLES.map((r) => r.description),
    rolePermissions: DEFAULT_ROLES.map((r) => JSON.stringify(r.permissions)),
    adminRoleId,
    settings: JSON.stringify(defaultSettings(t.tier)),
    actor,
    apiKeyId: apiKey.id,
    apiKeyName: 'initial admin key',
    apiKeyRole: TenantRole.ADMIN,
    secretHash: apiKey.secretHash,
    jobKind: JobKind.PROVISION,
    jobId,
    // VALIDATING_INPUT and CREATING_TENANT_RECORD are done by now, synchronously.
    currentState: ProvisioningState.CREATING_TENANT_RECORD,
    currentStep: firstStepOf(provisioningPlan),
    jobStatus: JobStatus.PENDING,
    maxRetries: maxRetries ?? DEFAULT_MAX_RETRIES,
    jobContext: JSON.stringify({
      slug: t.slug,
      region: t.region,
      cloudProvider: t.cloudProvider,
      completedStates: SYNCHRONOUS_STAGES,
      generation: 1,
    }),
    stepNames: steps.map((s) => s.name),
    stepStages: steps.map((s) => s.stage),
    stepPositions: steps.map((s) => s.position),
    stepStatuses: steps.map((s) => s.status),
    stepAttempts: steps.map((s) => s.attempts),
    stepDoneAt: steps.map((s) => s.startedAt ?? null),
    // spec/000: the declaration (generation 1), the actual record (REQUESTED) and its first transition.
    configuration: JSON.stringify(defaultConfiguration(t.tier)),
    infrastructureId: newId(),
    infrastructureStatus: InfrastructureStatus.REQUESTED,
    namespace: namespaceFor(t.slug),
    terraformStateKey: TIER_PROFILES[t.tier].deploymentType === DeploymentType.DEDICATED ? terraformStateKeyOf(tenantId) : null,
    transitionId: newId(),
    transitionTrigger: 'tenant.created',
    transitionDetails: JSON.stringify({ jobId, tier: t.tier, generation: 1 }),
    // The per-tenant provisioning state (spec/002), with the synchronous stages in its history.
    provisioningStatus: ProvisioningStatus.IN_PROGRESS,
    eventSeq: SYNCHRONOUS_STAGES.length,
    historyKind: 'STAGE',
    historyTrigger: 'stage.completed',
    historyDetails: JSON.stringify({ synchronous: true }),
    historySeqs: SYNCHRONOUS_STAGES.map((_, i) => i + 1),
    historyFrom: SYNCHRONOUS_STAGES.map((_, i) => (i === 0 ? ProvisioningState.INITIAL : SYNCHRONOUS_STAGES[i - 1])),
    historyTo: SYNCHRONOUS_STAGES,
    eventId: newId(),
    // The create request's trace (when traced): the job's runs and the tenant.created event join it.
    traceParent: currentTraceparent() ?? null,
    eventType: EventType.TENANT_CREATED,
    payload: JSON.stringify({ tenant: written, jobId, initiatedBy: actor }),
  };
}

function addMonths(date: Date, months: number): Date {
  const next = new Date(date);
  next.setUTCMonth(next.getUTCMonth() + months);
  return next;
}
