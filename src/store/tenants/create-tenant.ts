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
import { firstStepOf, planStepRows } from '../engine/plan-step-rows.js';
import type { Db } from '../open-database.js';
import { isTransientDatabaseError } from '../database-errors.js';
import { asConflict } from '../unique-violation.js';
import { toTenant } from './tenant-row.js';

/** The writes of the control-plane tier, in the order they happen inside the one transaction. */
export const CREATE_TENANT_WRITES = [
  'tenant', 'adminUser', 'billingSubscription', 'roles', 'settings', 'apiKey', 'provisioningJob', 'outboxEvent',
] as const;
export type CreateTenantWrite = (typeof CREATE_TENANT_WRITES)[number];

export interface CreateTenantInput {
  tenant: NewTenant;
  /** Who asked: recorded on the job, the settings and the key. */
  actor: string;
  /** The initial admin API key: only its hash is stored. */
  apiKey: { id: string; secretHash: string };
  /** Retries the data-plane job may make (MATIH_MAX_RETRIES). */
  maxRetries?: number;
  /** Tests inject failures after a write to prove the transaction leaves nothing behind. */
  afterWrite?: (write: CreateTenantWrite) => void | Promise<void>;
}

export interface CreatedTenant {
  tenant: Tenant;
  adminUserId: string;
  jobId: string;
}

const SYNCHRONOUS_STAGES = [ProvisioningState.VALIDATING_INPUT, ProvisioningState.CREATING_TENANT_RECORD];

const TENANT_UNIQUE_FIELDS = {
  tenants_slug_key: 'slug',
  tenants_name_key: 'name',
  tenants_admin_email_key: 'adminEmail',
};

/**
 * spec/003 "Control Plane Tier": tenant record, admin user, billing subscription, default roles,
 * default settings, initial API key, the pending data-plane job and the tenant.created event,
 * all in one transaction: it all exists, or none of it does.
 */
export async function createTenant(db: Db, input: CreateTenantInput): Promise<CreatedTenant> {
  const ids = { tenantId: newId(), adminUserId: newId(), jobId: newId() };
  try {
    return await createTenantOnce(db, input, ids);
  } catch (error) {
    // spec/003 "Error Handling": a transient failure of the control-plane database (a serialization
    // failure, a deadlock, a dropped connection) is re-attempted once, within the request, with the
    // same ids; a refusal on the merits (a unique field taken) never is.
    if (!isTransientDatabaseError(error)) throw error;
    try {
      return await createTenantOnce(db, input, ids);
    } catch (again) {
      // A connection lost during the first COMMIT may have committed it: the tenant is then there.
      const committed = await db.selectFrom('tenants').selectAll().where('id', '=', ids.tenantId).executeTakeFirst();
      if (committed) return { tenant: toTenant(committed), adminUserId: ids.adminUserId, jobId: ids.jobId };
      throw again;
    }
  }
}

async function createTenantOnce(db: Db, input: CreateTenantInput, ids: { tenantId: string; adminUserId: string; jobId: string }): Promise<CreatedTenant> {
  const { tenant: t, actor, apiKey } = input;
  const after = input.afterWrite ?? (() => undefined);
  const { tenantId, adminUserId, jobId } = ids;
  const now = new Date();
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('tenants')
        .values({
          id: tenantId,
          name: t.name,
          slug: t.slug,
          tier: t.tier,
          status: TenantStatus.PROVISIONING,
          region: t.region,
          cloudProvider: t.cloudProvider,
          adminEmail: t.adminEmail,
          // spec/003: these are set by the data-plane tier once a cluster is chosen.
          deploymentType: null,
          kubernetesNamespace: null,
          azureAksClusterName: null,
          provisioningStartedAt: now,
          provisioningCompletedAt: null,
          provisioningError: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await after('tenant');

      // Everything else in one statement of data-modifying CTEs: one round trip instead of eight
      // (each round trip costs a syscall here and a statement there; this path is the hot one).
      // Still inside the transaction, so a failure at any point leaves nothing behind; the
      // foreign keys between these rows are checked at the end of the statement.
      const plan = DEFAULT_BILLING_PLANS[t.tier];
      const trialEndsAt = plan.trialDays > 0 ? new Date(now.getTime() + plan.trialDays * 86_400_000) : null;
      const roles = DEFAULT_ROLES.map((r) => ({
        id: newId(),
        tenantId,
        name: r.name,
        description: r.description,
        permissions: JSON.stringify(r.permissions),
        isSystem: true,
      }));
      const adminRole = roles.find((r) => r.name === TenantRole.ADMIN);
      if (!adminRole) throw new Error('the default roles have no Admin role');
      const tenant = toTenant(row);
      const provisioningPlan = planFor(t.tier, JobKind.PROVISION);

      await trx
        // The admin becomes ACTIVE in IAM at the ACTIVATE step (spec/002 phase 8).
        .with('admin_user', (q) =>
          q.insertInto('users').values({
            id: adminUserId,
            tenantId,
            email: t.adminEmail,
            displayName: null,
            status: 'PENDING_ACTIVATION',
            isTenantAdmin: true,
          }),
        )
        .with('billing_subscription', (q) =>
          q.insertInto('billingSubscriptions').values({
            id: newId(),
            tenantId,
            planId: plan.id,
            status: initialSubscriptionStatus(plan),
            startedAt: now,
            trialEndsAt,
            currentPeriodEnd: trialEndsAt ?? addMonths(now, 1),
          }),
        )
        .with('default_roles', (q) => q.insertInto('roles').values(roles))
        .with('admin_role', (q) => q.insertInto('userRoles').values({ userId: adminUserId, roleId: adminRole.id }))
        .with('settings', (q) =>
          q.insertInto('tenantSettings').values({
            tenantId,
            settings: JSON.stringify(defaultSettings(t.tier)),
            version: 1,
            updatedBy: actor,
          }),
        )
        .with('api_key', (q) =>
          q.insertInto('apiKeys').values({
            id: apiKey.id,
            tenantId,
            userId: adminUserId,
            name: 'initial admin key',
            role: TenantRole.ADMIN,
            secretHash: apiKey.secretHash,
            createdBy: actor,
            expiresAt: null,
            lastUsedAt: null,
            revokedAt: null,
          }),
        )
        .with('provisioning_job', (q) =>
          q.insertInto('tenantProvisioningJobs').values({
            id: jobId,
            tenantId,
            kind: JobKind.PROVISION,
            tier: t.tier,
            // VALIDATING_INPUT and CREATING_TENANT_RECORD are done by now, synchronously.
            currentState: ProvisioningState.CREATING_TENANT_RECORD,
            currentStep: firstStepOf(provisioningPlan),
            status: JobStatus.PENDING,
            initiatedBy: actor,
            startedAt: null,
            completedAt: null,
            errorMessage: null,
            maxRetries: input.maxRetries ?? DEFAULT_MAX_RETRIES,
            nextRetryAt: null,
            context: JSON.stringify({
              slug: t.slug,
              region: t.region,
              cloudProvider: t.cloudProvider,
              completedStates: [ProvisioningState.VALIDATING_INPUT, ProvisioningState.CREATING_TENANT_RECORD],
              generation: 1,
            }),
          }),
        )
        // The job's plan, its synchronous steps done as of the tenant's creation.
        .with('provisioning_steps', (q) => q.insertInto('provisioningSteps').values(planStepRows(jobId, provisioningPlan, row.createdAt)))
        // spec/000: the declaration (generation 1), the actual record (REQUESTED) and its first transition.
        .with('desired_state', (q) =>
          q.insertInto('desiredInfrastructureState').values({
            tenantId,
            tier: t.tier,
            region: t.region,
            cloudProvider: t.cloudProvider,
            configuration: JSON.stringify(defaultConfiguration(t.tier)),
            suspended: false,
            generation: 1,
            observedGeneration: 0,
            updatedBy: actor,
          }),
        )
        .with('infrastructure', (q) =>
          q.insertInto('tenantInfrastructure').values({
            id: newId(),
            tenantId,
            status: InfrastructureStatus.REQUESTED,
            cloudProvider: t.cloudProvider,
            region: t.region,
            namespace: namespaceFor(t.slug),
            configuration: '{}',
            terraformStateKey: TIER_PROFILES[t.tier].deploymentType === DeploymentType.DEDICATED ? terraformStateKeyOf(tenantId) : null,
          }),
        )
        .with('infrastructure_transition', (q) =>
          q.insertInto('infrastructureStateTransitions').values({
            id: newId(),
            tenantId,
            fromState: null,
            toState: InfrastructureStatus.REQUESTED,
            trigger: 'tenant.created',
            details: JSON.stringify({ jobId, tier: t.tier, generation: 1 }),
            jobId,
          }),
        )
        // The per-tenant provisioning state (spec/002), with the synchronous stages in its history.
        .with('provisioning_state', (q) =>
          q.insertInto('tenantProvisioningState').values({
            tenantId,
            jobId,
            currentPhase: ProvisioningState.CREATING_TENANT_RECORD,
            status: ProvisioningStatus.IN_PROGRESS,
            failureReason: null,
            phaseOutputs: '{}',
            startedAt: now,
            lastUpdatedAt: now,
            retryCount: 0,
            eventSeq: SYNCHRONOUS_STAGES.length,
          }),
        )
        .with('history', (q) =>
          q.insertInto('provisioningAuditLogs').values(
            SYNCHRONOUS_STAGES.map((state, i) => ({
              tenantId,
              seq: i + 1,
              jobId,
              kind: 'STAGE',
              fromState: i === 0 ? ProvisioningState.INITIAL : SYNCHRONOUS_STAGES[i - 1],
              toState: state,
              step: null,
              trigger: 'stage.completed',
              details: JSON.stringify({ synchronous: true }),
              actor,
            })),
          ),
        )
        .insertInto('outbox')
        .values({
          eventId: newId(),
          aggregateType: 'tenant',
          aggregateId: tenantId,
          type: EventType.TENANT_CREATED,
          payload: JSON.stringify({ tenant, jobId, initiatedBy: actor }),
        })
        .execute();
      // The hooks run in write order, inside the transaction, after the writes they name.
      for (const write of CREATE_TENANT_WRITES.slice(1)) await after(write);

      return { tenant, adminUserId, jobId };
    });
  } catch (error) {
    throw asConflict(error, TENANT_UNIQUE_FIELDS, 'tenant');
  }
}

function addMonths(date: Date, months: number): Date {
  const next = new Date(date);
  next.setUTCMonth(next.getUTCMonth() + months);
  return next;
}
