import { sql } from 'kysely';
import type { CloudProvider } from '../../domain/cloud.js';
import { infrastructureStatusDuring } from '../../domain/infrastructure.js';
import { readConfiguration } from '../../domain/infrastructure-configuration.js';
import type { StepName } from '../../domain/plans.js';
import { type StepRecord, StepStatus } from '../../domain/progress.js';
import { JobKind, JobStatus, parseJobKind } from '../../domain/provisioning.js';
import { readNotifications } from '../../domain/settings.js';
import type { Tier } from '../../domain/tiers.js';
import { moveInfrastructure } from '../infrastructure/move-infrastructure.js';
import type { Db } from '../open-database.js';
import type { TenantProvisioningJobsTable } from '../schema.js';
import { type AuditEntry, appendAudit } from './audit.js';
import type { ClaimedJob } from './job-types.js';

const OPEN = [JobStatus.PENDING, JobStatus.RUNNING, JobStatus.ROLLING_BACK];

type ClaimedStep = Omit<StepRecord, 'startedAt' | 'completedAt'> & { startedAt: string | null; completedAt: string | null; outputs: Record<string, unknown> };

interface ClaimRow extends Omit<TenantProvisioningJobsTable, 'retryCount' | 'createdAt' | 'updatedAt' | 'traceParent'> {
  retryCount: number;
  createdAt: Date;
  traceParent: string | null;
  /** Never claimed before: the job starts now (job.started) rather than resumes. */
  firstClaim: boolean;
  previousState: string;
  /** The step this claim marked RUNNING, with its attempts (null when the job rolls back or is to be cancelled). */
  startedStep: { name: string; attempts: number } | null;
  tenantName: string;
  tenantSlug: string;
  tenantTier: string;
  tenantRegion: string;
  tenantCloudProvider: string;
  tenantAdminEmail: string;
  tenantCreatedAt: Date;
  tenantStatus: string;
  tenantNotifications: unknown;
  desiredGeneration: number | null;
  desiredSuspended: boolean | null;
  desiredConfiguration: unknown;
  provisionedBy: string | null;
  steps: ClaimedStep[];
}

/**
 * Claims one due job for `owner` with a lease, in one statement (graphile-worker's getJob is the
 * model): the candidate is locked FOR UPDATE SKIP LOCKED, so concurrent workers (in this process
 * or other replicas) never take the same job; the lease is set, a PENDING job becomes RUNNING at
 * the step its plan starts at (laid out when it was queued), that step is marked RUNNING, and the
 * tenant, its declaration and the step records come back with it. A job whose holder died (lease
 * expired) is claimed again and resumes at its current step. The history rows and, at a first
 * claim, the infrastructure record's move follow in the same transaction.
 */
export async function claimJob(db: Db, owner: string, leaseMs: number): Promise<ClaimedJob | undefined> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<ClaimRow>`
      with candidate as (
        select j.id, j.started_at is null as first_claim, j.current_state as previous_state
        from tenant_provisioning_jobs j
        join tenants t on t.id = j.tenant_id
        where j.status in (${sql.join(OPEN)})
          and (j.next_retry_at is null or j.next_retry_at <= now())
          and (j.lease_until is null or j.lease_until < now())
        -- Repairs wait behind everything a person asked for: drift never starves a new tenant.
        order by (j.kind = ${JobKind.RECONCILE}), j.next_retry_at nulls first, j.id
        limit 1
        -- The tenant's row is locked with its job (the one lock order: tenant, job, declaration;
        -- store/transaction.ts), skipped like the job while a request holds it.
        for update of j skip locked
        for no key update of t skip locked
      ),
      claimed as (
        update tenant_provisioning_jobs j
        set lease_owner = ${owner},
            lease_until = now() + ${leaseMs} * interval '1 millisecond',
            status = case when j.status = ${JobStatus.PENDING} then ${JobStatus.RUNNING} else j.status end,
            started_at = coalesce(j.started_at, now()),
            current_state = case when c.first_claim
              then coalesce((select s.stage from provisioning_steps s where s.job_id = j.id and s.name = j.current_step), j.current_state)
              else j.current_state end,
            next_retry_at = null,
            updated_at = now()
        from candidate c
        where j.id = c.id
        returning j.*, c.first_claim, c.previous_state
      ),
      started as (
        update provisioning_steps s
        set status = ${StepStatus.RUNNING}, attempts = s.attempts + 1, started_at = now(), completed_at = null
        from claimed c
        where s.job_id = c.id and s.name = c.current_step and c.status = ${JobStatus.RUNNING} and c.cancel_requested_by is null
        returning s.name, s.attempts
      )
      select c.*,
        (select json_build_object('name', name, 'attempts', attempts) from started) as started_step,
        t.name as tenant_name, t.slug as tenant_slug, t.tier as tenant_tier, t.region as tenant_region,
        t.cloud_provider as tenant_cloud_provider, t.admin_email as tenant_admin_email,
        t.created_at as tenant_created_at, t.status as tenant_status, ts.settings -> 'notifications' as tenant_notifications,
        d.generation as desired_generation, d.suspended as desired_suspended, d.configuration as desired_configuration,
        -- Who provisioned the infrastructure this job works on: the initiator of the tenant's latest
        -- provisioning, by the email of the key's user where the key has one, else the reference.
        (select coalesce(u.email, p.initiated_by)
           from tenant_provisioning_jobs p
           left join api_keys k on p.initiated_by = 'api-key:' || k.id
           left join users u on u.id = k.user_id
          where p.tenant_id = c.tenant_id and p.kind = ${JobKind.PROVISION}
          order by p.id desc limit 1) as provisioned_by,
        (select coalesce(json_agg(json_build_object(
            'name', s.name, 'stage', s.stage, 'position', s.position, 'status', s.status, 'attempts', s.attempts,
            'startedAt', s.started_at, 'completedAt', s.completed_at, 'lastError', s.last_error, 'outputs', s.outputs
          ) order by s.position), '[]'::json)
         from provisioning_steps s where s.job_id = c.id) as steps
      from claimed c
      join tenants t on t.id = c.tenant_id
      left join tenant_settings ts on ts.tenant_id = c.tenant_id
      left join desired_infrastructure_state d on d.tenant_id = c.tenant_id`.execute(trx);
    const row = rows[0];
    if (!row) return undefined;
    const kind = parseJobKind(row.kind);

    const audit: AuditEntry[] = [];
    if (row.firstClaim) {
      const first = row.currentStep;
      audit.push({ kind: 'JOB', trigger: 'job.started', fromState: row.previousState, toState: first ? row.currentState : null, actor: owner, details: { kind: row.kind, tier: row.tier } });
      if (first) {
        await moveInfrastructure(trx, {
          tenantId: row.tenantId,
          to: (current) => infrastructureStatusDuring(kind, first as StepName, current),
          trigger: 'job.started',
          jobId: row.id,
          details: { kind, tier: row.tier, step: first, generation: row.desiredGeneration },
        });
        audit.push({ kind: 'STAGE', trigger: 'stage.entered', fromState: row.previousState, toState: row.currentState, actor: owner });
      }
    } else {
      audit.push({ kind: 'JOB', trigger: 'job.resumed', toState: row.currentState, step: row.currentStep, actor: owner, details: { status: row.status } });
    }
    if (row.startedStep) audit.push({ kind: 'STEP', trigger: 'step.started', step: row.startedStep.name, toState: row.currentState, actor: owner });
    await appendAudit(trx, row.tenantId, row.id, audit);
    return toClaimedJob(row, kind);
  });
}

function toClaimedJob(row: ClaimRow, kind: JobKind): ClaimedJob {
  // The step records were read in the statement's snapshot, before it marked the current step RUNNING.
  const steps = row.steps.map((s) => {
    const started = row.startedStep?.name === s.name ? row.startedStep : undefined;
    return {
      ...s,
      status: started ? StepStatus.RUNNING : s.status,
      attempts: started ? started.attempts : s.attempts,
      startedAt: started ? new Date() : s.startedAt === null ? null : new Date(s.startedAt),
      completedAt: started || s.completedAt === null ? null : new Date(s.completedAt),
    };
  });
  return {
    id: row.id,
    tenantId: row.tenantId,
    kind,
    tier: row.tier as Tier,
    status: row.status,
    currentState: row.currentState,
    currentStep: row.currentStep,
    retryCount: row.retryCount,
    maxRetries: row.maxRetries,
    errorMessage: row.errorMessage,
    failedStep: row.failedStep,
    cancelRequestedBy: row.cancelRequestedBy,
    initiatedBy: row.initiatedBy,
    createdAt: row.createdAt,
    traceParent: row.traceParent,
    provisionedBy: row.provisionedBy ?? row.initiatedBy,
    tenant: {
      id: row.tenantId,
      name: row.tenantName,
      slug: row.tenantSlug,
      tier: row.tenantTier as Tier,
      region: row.tenantRegion,
      cloudProvider: row.tenantCloudProvider as CloudProvider,
      adminEmail: row.tenantAdminEmail,
      createdAt: row.tenantCreatedAt,
      status: row.tenantStatus,
      notifications: readNotifications(row.tenantNotifications),
    },
    desired: {
      generation: row.desiredGeneration ?? 0,
      suspended: row.desiredSuspended ?? false,
      // The job's tier, not the declaration's: a tier change is its own job with its own tier.
      configuration: readConfiguration(row.desiredConfiguration, row.tier as Tier),
    },
    steps: new Map(steps.map((s) => [s.name, s])),
  };
}
