import { StepName } from '../domain/plans.js';
import { DeploymentType } from '../domain/tiers.js';
import {
  DriverError,
  type ServicePrincipalValidator,
  type TerraformDriver,
  type TerraformProgress,
  type TerraformRunOptions,
  type TerraformStateLocks,
} from '../drivers/contract.js';
import { terraformStateKey, terraformWorkspace } from './dedicated-infrastructure.js';
import type { StepContext, StepHandler, StepResult } from './step.js';

export interface EnterpriseStepDeps {
  servicePrincipals: ServicePrincipalValidator;
  stateLocks: TerraformStateLocks;
  terraform: TerraformDriver;
}

export interface EnterpriseStepOptions {
  /**
   * The state lock's lease. PROVISION_INFRASTRUCTURE renews it while Terraform runs (every third
   * of it), so it only bounds how long a lock outlives a holder that vanished without its job
   * noticing; a job that ends or loses its own lease frees the lock at once.
   */
  lockLeaseMs: number;
  /** Terraform's progress as it runs (the step context has no channel for it): logs, metrics. */
  onProgress?: (event: TerraformProgress, source: { tenantId: string; jobId: string; step: StepName }) => void;
}

/** spec/003's enterprise stages: VALIDATE_SERVICE_PRINCIPAL, ACQUIRE_TERRAFORM_LOCK, PROVISION_INFRASTRUCTURE. */
export function enterpriseSteps(deps: EnterpriseStepDeps, options: EnterpriseStepOptions): StepHandler[] {
  return [validateServicePrincipal(deps), acquireTerraformLock(deps, options), provisionInfrastructure(deps, options)];
}

/** spec/003: the Azure credentials the dedicated infrastructure is built with must work before anything is built. */
function validateServicePrincipal(deps: EnterpriseStepDeps): StepHandler {
  return {
    name: StepName.VALIDATE_SERVICE_PRINCIPAL,
    async run(ctx) {
      const result = await deps.servicePrincipals.validate({ tenantId: ctx.tenant.id, cloudProvider: ctx.tenant.cloudProvider, signal: ctx.signal });
      // Credentials that are wrong stay wrong until someone fixes them: no retry can help.
      if (!result.valid) throw new DriverError(`service principal invalid: ${result.reason ?? 'rejected'}`, false);
      return { outputs: { validated: true, ...(result.subscriptionId ? { subscriptionId: result.subscriptionId } : {}) } };
    },
    // Checking changes nothing.
    async rollback() {},
  };
}

/** spec/003: one Terraform run per tenant state at a time, across every replica. */
function acquireTerraformLock(deps: EnterpriseStepDeps, options: EnterpriseStepOptions): StepHandler {
  return {
    name: StepName.ACQUIRE_TERRAFORM_LOCK,
    async run(ctx) {
      const stateKey = terraformStateKey(ctx.tenant.id);
      const lock = await takeLock(deps, ctx, stateKey, options.lockLeaseMs);
      return { outputs: { stateKey, holderJobId: ctx.jobId, ...(lock.tookOverFrom ? { tookOverFrom: lock.tookOverFrom } : {}) } };
    },
    // The last undo of an enterprise rollback: PROVISION_INFRASTRUCTURE destroyed under the lock before.
    async rollback(ctx) {
      await deps.stateLocks.release(terraformStateKey(ctx.tenant.id), ctx.jobId);
    },
  };
}

/**
 * spec/003: Terraform builds the dedicated cluster, network, storage and database. init, plan,
 * apply only when the plan changes something, then the outputs: a re-run after a crash plans
 * what is left (nothing, once applied) and changes only that. Rollback destroys the state.
 */
function provisionInfrastructure(deps: EnterpriseStepDeps, options: EnterpriseStepOptions): StepHandler {
  const name = StepName.PROVISION_INFRASTRUCTURE;
  return {
    name,
    async run(ctx): Promise<StepResult> {
      const workspace = terraformWorkspace(ctx.tenant);
      return underLock(deps, ctx, workspace.stateKey, options.lockLeaseMs, async (signal) => {
        const run = runOptions(ctx, name, signal, options);
        await deps.terraform.init(workspace, run);
        const plan = await deps.terraform.plan(workspace, run);
        const applied = plan.hasChanges ? await deps.terraform.apply(workspace, run) : { add: 0, change: 0, remove: 0 };
        const outputs = await deps.terraform.output(workspace, run);
        const resources = await deps.terraform.resources(workspace, run);
        const clusterName = typeof outputs.values.cluster_name === 'string' ? outputs.values.cluster_name : workspace.infrastructure.names.cluster;
        return {
          outputs: {
            stateKey: workspace.stateKey,
            cluster: clusterName,
            changes: applied,
            resourceCount: resources.length,
            resources,
            // Non-sensitive only; the sensitive ones are named so the record says they exist.
            terraformOutputs: outputs.values,
            sensitiveOutputs: outputs.sensitive,
          },
          placement: {
            deploymentType: DeploymentType.DEDICATED,
            ...(ctx.tenant.cloudProvider === 'AZURE' ? { azureAksClusterName: clusterName } : {}),
          },
        };
      });
    },
    async rollback(ctx) {
      const workspace = terraformWorkspace(ctx.tenant);
      await underLock(deps, ctx, workspace.stateKey, options.lockLeaseMs, async (signal) => {
        const run = runOptions(ctx, name, signal, options);
        await deps.terraform.init(workspace, run);
        await deps.terraform.destroy(workspace, run);
      });
    },
  };
}

async function takeLock(deps: EnterpriseStepDeps, ctx: StepContext, stateKey: string, leaseMs: number) {
  const lock = await deps.stateLocks.acquire(stateKey, ctx.jobId, leaseMs);
  if (!lock.acquired) {
    // Another job works on this state; it ends or its lease runs out, and then the lock is free.
    throw new DriverError(`Terraform state ${stateKey} is locked by job ${lock.holderJobId} (until ${lock.expiresAt.toISOString()} at the latest)`, true);
  }
  return lock;
}

/**
 * Runs `work` holding the state lock: taken (or renewed) first, renewed every third of its lease
 * while Terraform runs, and if it is lost all the same (taken over after a stall), Terraform is
 * interrupted rather than left running beside the new holder.
 */
async function underLock<T>(deps: EnterpriseStepDeps, ctx: StepContext, stateKey: string, leaseMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  await takeLock(deps, ctx, stateKey, leaseMs);
  const controller = new AbortController();
  const onAbort = () => controller.abort(ctx.signal.reason);
  if (ctx.signal.aborted) onAbort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const renew = setInterval(() => {
    deps.stateLocks.acquire(stateKey, ctx.jobId, leaseMs).then(
      (lock) => {
        if (!lock.acquired) controller.abort(new Error(`lost the Terraform state lock ${stateKey} to job ${lock.holderJobId}`));
      },
      // A failed renewal (database briefly away) is tried again next time; the lease has slack for it.
      () => undefined,
    );
  }, Math.max(1000, Math.floor(leaseMs / 3)));
  try {
    return await work(controller.signal);
  } finally {
    clearInterval(renew);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

function runOptions(ctx: StepContext, step: StepName, signal: AbortSignal, options: EnterpriseStepOptions): TerraformRunOptions {
  const report = options.onProgress;
  return report ? { signal, onProgress: (event) => report(event, { tenantId: ctx.tenant.id, jobId: ctx.jobId, step }) } : { signal };
}

