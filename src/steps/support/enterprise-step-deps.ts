import type { StepName } from '../../domain/plans.js';
import type { ServicePrincipalValidator, TerraformDriver, TerraformProgress, TerraformStateLocks } from '../../drivers/contract.js';

/** What the enterprise steps (VALIDATE_SERVICE_PRINCIPAL, ACQUIRE_TERRAFORM_LOCK, PROVISION_INFRASTRUCTURE) work with. */
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
