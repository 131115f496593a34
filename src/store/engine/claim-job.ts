import { sql } from 'kysely';
import { firstAsyncPosition, planFor, SYNCHRONOUS_STEPS } from '../../domain/plans.js';
import { StepStatus, type StepRecord } from '../../domain/progress.js';
import { infrastructureStatusDuring } from '../../domain/infrastructure.js';
import { readConfiguration } from '../../domain/infrastructure-configuration.js';
import { JobKind, JobStatus, ProvisioningStatus, parseJobKind } from '../../domain/provisioning.js';
import { moveInfrastructure } from '../infrastructure/move-infrastructure.js';
import type { CloudProvider } from '../../domain/cloud.js';
import type { Tier } from '../../domain/tiers.js';
import type { Db } from '../open-database.js';
import { type AuditEntry, appendAudit } from './audit.js';
import type { ClaimedJob } from './job-types.js';

const OPEN = [JobStatus.PENDING, JobStatus.RUNNING, JobStatus.ROLLING_BACK];

/**
 * Claims one due job for `owner` with a lease, FOR UPDATE SKIP LOCKED so that concurrent
 * workers (in this process or other replicas) never take the same job. A job whose holder
 * died (lease expired) is claimed again and resumes at its current step. One transaction.
 */
export async function claimJob(db: Db, owner: string, leaseMs: number): Promise<ClaimedJob | undefined> {
  return db.transaction().execute(async (trx) => {
    const candidate = await trx
      .selectFrom('tenantProvisioningJobs')
      .select('id')
      .where('status', 'in', OPEN)
      .where((eb) => eb.or([eb('nextRetryAt', 'is', null), eb('nextRetryAt', '<=', sql<Date>`now()`)]))
      .where((eb) => eb.or([eb('leaseUntil', 'is', null), eb('leaseUntil', '<', sql<Date>`now()`)]))
      // Repairs wait behind everything a person asked for: drift never starves a new tenant.
      .orderBy(sql`(kind = ${JobKind.RECONCILE})`)
      .orderBy(sql`next_retry_at nulls first`)
      .orderBy('id')
      .limit(1)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!candidate) return undefined;

    const job = await trx
      .updateTable('tenantProvisioningJobs')
      .set((eb) => ({
        leaseOwner: owner,
        leaseUntil: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'`,
        status: eb.case().when('status', '=', JobStatus.PENDING).then(JobStatus.RUNNING).else(eb.ref('status')).end(),
        startedAt: sql<Date>`coalesce(started_at, now())`,
        nextRetryAt: null,
        updatedAt: sql<Date>`now()`,
      }))
      .where('id', '=', candidate.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const tenant = await trx
      .selectFrom('tenants')
      .select(['id', 'name', 'slug', 'tier', 'region', 'cloudProvider', 'adminEmail', 'createdAt', 'status'])
      .where('id', '=', job.tenantId)
      .executeTakeFirstOrThrow();
    const desired = await trx
      .selectFrom('desiredInfrastructureState')
      .select(['generation', 'suspended', 'configuration'])
      .where('tenantId', '=', job.tenantId)
      .executeTakeFirst();

    const kind = parseJobKind(job.kind);
    const plan = planFor(job.tier as Tier, kind);
    const audit: AuditEntry[] = [];
    let currentStep = job.currentStep;
    if (currentStep === null) {
      // First claim: lay out the plan's steps; the control-plane tier already did the first ones.
      const first = plan.steps[firstAsyncPosition(plan)];
      currentStep = first?.name ?? null;
      await trx
        .insertInto('provisioningSteps')
        .values(
          plan.steps.map((s) => {
            const sync = SYNCHRONOUS_STEPS.has(s.name);
            return {
              jobId: job.id,
              name: s.name,
              stage: s.stage,
              position: s.position,
              status: sync ? StepStatus.COMPLETED : StepStatus.PENDING,
              attempts: sync ? 1 : 0,
              startedAt: sync ? tenant.createdAt : null,
              completedAt: sync ? tenant.createdAt : null,
              lastError: null,
              outputs: '{}',
            };
          }),
        )
        .onConflict((oc) => oc.columns(['jobId', 'name']).doNothing())
        .execute();
      await trx
        .insertInto('tenantProvisioningState')
        .values({
          tenantId: job.tenantId,
          jobId: job.id,
          currentPhase: first?.stage ?? job.currentState,
          status: ProvisioningStatus.IN_PROGRESS,
          failureReason: null,
          phaseOutputs: '{}',
          startedAt: new Date(),
          lastUpdatedAt: new Date(),
          retryCount: 0,
        })
        .onConflict((oc) =>
          oc.column('tenantId').doUpdateSet({
            jobId: job.id,
            status: ProvisioningStatus.IN_PROGRESS,
            failureReason: null,
            lastUpdatedAt: new Date(),
            // A (re)provisioning starts the tenant's record of outputs afresh: what a teardown or
            // an older placement left there describes nothing that exists any more.
            ...(kind === JobKind.PROVISION ? { phaseOutputs: '{}', startedAt: new Date(), retryCount: 0 } : {}),
          }),
        )
        .execute();
      await trx
        .updateTable('tenantProvisioningJobs')
        .set({ currentStep, currentState: first?.stage ?? job.currentState })
        .where('id', '=', job.id)
        .execute();
      audit.push({ kind: 'JOB', trigger: 'job.started', fromState: job.currentState, toState: first?.stage ?? null, actor: owner, details: { kind: job.kind, tier: job.tier } });
      if (first) {
        await moveInfrastructure(trx, {
          tenantId: job.tenantId,
          to: (current) => infrastructureStatusDuring(kind, first.name, current),
          trigger: 'job.started',
          jobId: job.id,
          details: { kind, tier: job.tier, step: first.name, generation: desired?.generation ?? null },
        });
      }
      if (first) audit.push({ kind: 'STAGE', trigger: 'stage.entered', fromState: job.currentState, toState: first.stage, actor: owner });
    } else {
      audit.push({ kind: 'JOB', trigger: 'job.resumed', toState: job.currentState, step: currentStep, actor: owner, details: { status: job.status } });
    }

    if (job.status === JobStatus.RUNNING && currentStep !== null && job.cancelRequestedBy === null) {
      await trx
        .updateTable('provisioningSteps')
        .set((eb) => ({ status: StepStatus.RUNNING, attempts: eb('attempts', '+', 1), startedAt: sql<Date>`now()`, completedAt: null }))
        .where('jobId', '=', job.id)
        .where('name', '=', currentStep)
        .execute();
      audit.push({ kind: 'STEP', trigger: 'step.started', step: currentStep, toState: job.currentState, actor: owner });
    }
    await appendAudit(trx, job.tenantId, job.id, audit);

    const steps = await trx.selectFrom('provisioningSteps').selectAll().where('jobId', '=', job.id).execute();
    return {
      id: job.id,
      tenantId: job.tenantId,
      kind,
      tier: job.tier as Tier,
      status: job.status,
      currentState: job.currentState,
      currentStep,
      retryCount: job.retryCount,
      maxRetries: job.maxRetries,
      errorMessage: job.errorMessage,
      failedStep: job.failedStep,
      cancelRequestedBy: job.cancelRequestedBy,
      initiatedBy: job.initiatedBy,
      tenant: { ...tenant, tier: tenant.tier as Tier, cloudProvider: tenant.cloudProvider as CloudProvider },
      desired: {
        generation: desired?.generation ?? 0,
        suspended: desired?.suspended ?? false,
        // The job's tier, not the declaration's: a tier change is its own job with its own tier.
        configuration: readConfiguration(desired?.configuration, job.tier as Tier),
      },
      steps: new Map(steps.map((s) => [s.name, { ...s, status: s.status as StepRecord['status'] }])),
    };
  });
}
