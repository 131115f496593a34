import { StepName } from '../../domain/plans.js';
import { DeploymentType } from '../../domain/tiers.js';
import type { TerraformChanges, TerraformRunOptions } from '../../drivers/contract.js';
import type { StepContext, StepHandler, StepResult } from '../step.js';
import { terraformWorkspace } from '../support/dedicated-infrastructure.js';
import type { EnterpriseStepDeps, EnterpriseStepOptions } from '../support/enterprise-step-deps.js';
import { underStateLock } from '../support/terraform-lock.js';

export interface ProvisionInfrastructureOutputs {
  /** `tenants/{tenantId}.tfstate`. */
  stateKey: string;
  /** The dedicated cluster's name, as Terraform reports it. */
  cluster: string;
  /** What this run's apply changed (all zero when the plan had nothing to do). */
  changes: TerraformChanges;
  resourceCount: number;
  /** The addresses of the resources in the state. */
  resources: string[];
  /** Terraform's non-sensitive outputs. */
  terraformOutputs: Record<string, unknown>;
  /** The names of the sensitive ones, whose values are never stored. */
  sensitiveOutputs: string[];
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    PROVISION_INFRASTRUCTURE: ProvisionInfrastructureOutputs;
  }
}

/**
 * spec/003: Terraform builds the dedicated cluster, network, storage and database. init, plan,
 * apply only when the plan changes something, then the outputs: a re-run after a crash plans
 * what is left (nothing, once applied) and changes only that. Rollback destroys the state.
 */
export function provisionInfrastructure(deps: Pick<EnterpriseStepDeps, 'stateLocks' | 'terraform'>, options: EnterpriseStepOptions): StepHandler {
  const name = StepName.PROVISION_INFRASTRUCTURE;
  return {
    name,
    async run(ctx): Promise<StepResult> {
      const workspace = terraformWorkspace(ctx.tenant);
      return underStateLock(deps.stateLocks, ctx, workspace.stateKey, options.lockLeaseMs, async (signal) => {
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
          } satisfies ProvisionInfrastructureOutputs,
          placement: {
            deploymentType: DeploymentType.DEDICATED,
            ...(ctx.tenant.cloudProvider === 'AZURE' ? { azureAksClusterName: clusterName } : {}),
          },
        };
      });
    },
    async rollback(ctx) {
      const workspace = terraformWorkspace(ctx.tenant);
      await underStateLock(deps.stateLocks, ctx, workspace.stateKey, options.lockLeaseMs, async (signal) => {
        const run = runOptions(ctx, name, signal, options);
        await deps.terraform.init(workspace, run);
        await deps.terraform.destroy(workspace, run);
      });
    },
  };
}

function runOptions(ctx: StepContext, step: StepName, signal: AbortSignal, options: EnterpriseStepOptions): TerraformRunOptions {
  const report = options.onProgress;
  return report ? { signal, onProgress: (event) => report(event, { tenantId: ctx.tenant.id, jobId: ctx.jobId, step }) } : { signal };
}
